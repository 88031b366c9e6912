// Status blocks of custom resources are written by controllers we do not control and may be
// missing, half-written or of another version, so every read narrows from `unknown`.

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Reads a nested field, `path('status', 'sync', 'status')`, without throwing on any shape. */
export function field(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    current = asRecord(current)?.[key];
    if (current === undefined) return undefined;
  }
  return current;
}

export type Condition = {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
};

/** The well-formed entries of `status.conditions`; anything else is skipped. */
export function readConditions(object: unknown): Condition[] {
  return asArray(field(object, 'status', 'conditions')).flatMap(entry => {
    const type = asString(field(entry, 'type'));
    const status = asString(field(entry, 'status'));
    if (
      !type ||
      (status !== 'True' && status !== 'False' && status !== 'Unknown')
    ) {
      return [];
    }
    return [
      {
        type,
        status,
        reason: asString(field(entry, 'reason')),
        message: asString(field(entry, 'message')),
      },
    ];
  });
}

import { Config } from '@backstage/config';

/** A configuration key the deployment cannot run without. */
export type RequiredConfigKey = {
  key: string;
  env?: string;
};

// A list of objects whose `${ENV}` values were all dropped (keys: [{}]) is as missing as no list.
function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.every(isBlank);
  if (typeof value === 'object') return Object.values(value).every(isBlank);
  return false;
}

/**
 * Returns one line per required key that is absent or blank.
 * A key whose `${ENV}` substitution found no variable is absent, because the
 * config loader drops it.
 */
export function findMissingConfig(
  config: Config,
  required: RequiredConfigKey[],
): string[] {
  const missing: string[] = [];
  for (const { key, env } of required) {
    // Read the merged top-level value and walk it: ConfigReader's dotted lookup throws
    // when a lower layer has a different shape (connection: ':memory:' under an object).
    const [head, ...rest] = key.split('.');
    let value: unknown = config.getOptional(head);
    for (const part of rest) {
      value =
        value && typeof value === 'object'
          ? (value as Record<string, unknown>)[part]
          : undefined;
    }
    if (isBlank(value)) {
      missing.push(env ? `${key} (set ${env})` : key);
    }
  }
  return missing;
}

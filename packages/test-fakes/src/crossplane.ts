/**
 * What Crossplane would compose from a Composition for one XR, for tests: the pipeline's
 * function-patch-and-transform and function-cel-filter steps, run here as `crossplane render`
 * would run the real functions (which need a container runtime we do not have). Only what our
 * Compositions use is implemented; anything else throws, so a Composition that outgrows this
 * fails its test instead of being rendered wrongly.
 */

type Json = any;

/** `spec.forProvider.tags[k8s-name]`, `a.b[0].c`, as Crossplane's field paths. */
export function parseFieldPath(fieldPath: string): Array<string | number> {
  return [...fieldPath.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)].map(m => {
    if (m[1] !== undefined) return m[1];
    return /^\d+$/.test(m[2]) ? Number(m[2]) : m[2];
  });
}

export function getFieldPath(object: Json, fieldPath: string): Json {
  let current = object;
  for (const segment of parseFieldPath(fieldPath)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = current[segment as any];
  }
  return current;
}

export function setFieldPath(object: Json, fieldPath: string, value: Json): void {
  const segments = parseFieldPath(fieldPath);
  let current = object;
  segments.forEach((segment, i) => {
    if (i === segments.length - 1) {
      current[segment as any] = value;
      return;
    }
    if (current[segment as any] === undefined) {
      current[segment as any] = typeof segments[i + 1] === 'number' ? [] : {};
    }
    current = current[segment as any];
  });
}

/** Go's fmt for the verbs our Compositions use: %s and %.<n>s. */
function goFormat(format: string, values: Json[]): string {
  let next = 0;
  return format.replace(/%(\.(\d+))?([sd%])/g, (_verb, _p, precision, kind) => {
    if (kind === '%') return '%';
    const value = String(values[next++]);
    return precision === undefined ? value : value.slice(0, Number(precision));
  });
}

function transform(value: Json, t: Json): Json {
  switch (t.type) {
    case 'map': {
      const mapped = t.map[String(value)];
      if (mapped === undefined) throw new Error(`map transform: no entry for ${JSON.stringify(value)}`);
      return mapped;
    }
    case 'match': {
      for (const p of t.match.patterns) {
        const hit = p.type === 'regexp' ? new RegExp(p.regexp).test(String(value)) : String(value) === p.literal;
        if (hit) return p.result;
      }
      if (t.match.fallbackTo === 'Input') return value;
      if (!('fallbackValue' in t.match)) throw new Error('match transform: no pattern matched');
      return t.match.fallbackValue;
    }
    case 'string':
      switch (t.string.type) {
        case 'Format':
          return goFormat(t.string.fmt, [value]);
        case 'TrimSuffix':
          return String(value).endsWith(t.string.trim) ? String(value).slice(0, -t.string.trim.length) : value;
        case 'TrimPrefix':
          return String(value).startsWith(t.string.trim) ? String(value).slice(t.string.trim.length) : value;
        case 'Convert':
          if (t.string.convert === 'ToUpper') return String(value).toUpperCase();
          if (t.string.convert === 'ToLower') return String(value).toLowerCase();
          break;
        default:
          break;
      }
      throw new Error(`string transform ${JSON.stringify(t.string)} is not rendered here`);
    default:
      throw new Error(`transform ${t.type} is not rendered here`);
  }
}

function applyPatch(xr: Json, resource: Json, patch: Json, patchSets: Map<string, Json[]>): void {
  const transforms = (v: Json) => (patch.transforms ?? []).reduce(transform, v);
  const required = patch.policy?.fromFieldPath === 'Required';
  switch (patch.type ?? 'FromCompositeFieldPath') {
    case 'PatchSet':
      for (const p of patchSets.get(patch.patchSetName) ?? []) applyPatch(xr, resource, p, patchSets);
      return;
    case 'FromCompositeFieldPath': {
      const value = getFieldPath(xr, patch.fromFieldPath);
      // An absent field skips the patch, as patch-and-transform's default (Optional) policy does.
      if (value === undefined) {
        if (required) throw new Error(`${patch.fromFieldPath} is required by a patch`);
        return;
      }
      setFieldPath(resource, patch.toFieldPath, transforms(structuredClone(value)));
      return;
    }
    case 'CombineFromComposite': {
      const values = patch.combine.variables.map((v: Json) => getFieldPath(xr, v.fromFieldPath));
      if (values.some((v: Json) => v === undefined)) return;
      if (patch.combine.strategy !== 'string') throw new Error(`combine strategy ${patch.combine.strategy} is not rendered here`);
      setFieldPath(resource, patch.toFieldPath, transforms(goFormat(patch.combine.string.fmt, values)));
      return;
    }
    default:
      throw new Error(`patch type ${patch.type} is not rendered here`);
  }
}

/** `has(observed.composite.resource.<path>)`, negated with `!`: all our filters need. */
function filterPasses(expression: string, xr: Json): boolean {
  const m = expression.trim().match(/^(!?)has\(observed\.composite\.resource\.([\w.]+)\)$/);
  if (!m) throw new Error(`cel-filter expression ${expression} is not rendered here`);
  const present = getFieldPath(xr, m[2]) !== undefined;
  return m[1] ? !present : present;
}

/** The XR with the defaults of its XRD's schema filled in, as the API server stores it. */
export function withDefaults(schema: Json, value: Json): Json {
  if (schema?.type !== 'object' || value === null || typeof value !== 'object') return value;
  const out = { ...value };
  for (const [name, property] of Object.entries<Json>(schema.properties ?? {})) {
    if (out[name] === undefined && property.default !== undefined) out[name] = structuredClone(property.default);
    if (out[name] !== undefined) out[name] = withDefaults(property, out[name]);
  }
  return out;
}

/** The composed resources, by their names in the Composition, desired for `xr`. */
export function renderComposition(composition: Json, xr: Json): Record<string, Json> {
  if (composition.spec?.mode !== 'Pipeline') throw new Error('only Pipeline Compositions are rendered here');
  const desired: Record<string, Json> = {};
  for (const step of composition.spec.pipeline) {
    const input = step.input;
    if (step.functionRef.name === 'function-patch-and-transform') {
      const patchSets = new Map<string, Json[]>((input.patchSets ?? []).map((p: Json) => [p.name, p.patches]));
      for (const r of input.resources) {
        const resource = structuredClone(r.base);
        for (const patch of r.patches ?? []) applyPatch(xr, resource, patch, patchSets);
        desired[r.name] = resource;
      }
    } else if (step.functionRef.name === 'function-cel-filter') {
      for (const filter of input.filters) {
        const matches = new RegExp(`^(?:${filter.name})$`);
        if (filterPasses(filter.expression, xr)) continue;
        for (const name of Object.keys(desired)) if (matches.test(name)) delete desired[name];
      }
    } else {
      throw new Error(`function ${step.functionRef.name} is not rendered here`);
    }
  }
  return desired;
}

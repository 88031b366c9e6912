import { Config } from '@backstage/config';

/** A configuration value compared with a string: `backend.database.connection.type` is `azure`. */
export type ConfigCondition = {
  key: string;
  equals: string;
};

/**
 * A value the deployment cannot run without: a configuration key, or an environment
 * variable that a library reads itself (`env` without `key`). `when` and `unless` make it
 * depend on another value, so that each mode (a database password or Entra authentication)
 * names only what it needs.
 */
export type RequiredConfigKey = {
  key?: string;
  env?: string;
  when?: ConfigCondition;
  unless?: ConfigCondition;
};

// A list of objects whose `${ENV}` values were all dropped (keys: [{}]) is as missing as no list.
function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.every(isBlank);
  if (typeof value === 'object') return Object.values(value).every(isBlank);
  return false;
}

// Reads the merged top-level value and walks it: ConfigReader's dotted lookup throws when a
// lower layer has a different shape (connection: ':memory:' under an object).
function readKey(config: Config, key: string): unknown {
  const [head, ...rest] = key.split('.');
  let value: unknown = config.getOptional(head);
  for (const part of rest) {
    value =
      value && typeof value === 'object'
        ? (value as Record<string, unknown>)[part]
        : undefined;
  }
  return value;
}

function holds(config: Config, condition: ConfigCondition): boolean {
  return readKey(config, condition.key) === condition.equals;
}

function describeMissing(required: RequiredConfigKey): string {
  const reasons: string[] = [];
  if (required.key && required.env) reasons.push(`set ${required.env}`);
  if (!required.key) reasons.push('an environment variable');
  if (required.when) {
    reasons.push(
      `needed because ${required.when.key} is ${required.when.equals}`,
    );
  }
  if (required.unless) {
    reasons.push(
      `needed unless ${required.unless.key} is ${required.unless.equals}`,
    );
  }
  const name = required.key ?? required.env!;
  return reasons.length > 0 ? `${name} (${reasons.join('; ')})` : name;
}

/**
 * Returns one line per required value that is absent or blank, in the order given.
 * A key whose `${ENV}` substitution found no variable is absent, because the
 * config loader drops it.
 */
export function findMissingConfig(
  config: Config,
  required: RequiredConfigKey[],
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const missing: string[] = [];
  for (const entry of required) {
    if (entry.when && !holds(config, entry.when)) continue;
    if (entry.unless && holds(config, entry.unless)) continue;
    const value = entry.key ? readKey(config, entry.key) : env[entry.env ?? ''];
    if (isBlank(value)) missing.push(describeMissing(entry));
  }
  return missing;
}

/** Kubernetes DNS-1123 label: what every name we generate must be. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME_LENGTH = 63;

/** Explains why a name is not usable, in words a developer understands, or undefined when it is. */
export function explainInvalidName(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_LENGTH) {
    return `must be at most ${MAX_NAME_LENGTH} characters (it has ${name.length})`;
  }
  if (name.includes('/') || name.includes('..')) {
    return 'must not contain "/" or ".."';
  }
  if (/[A-Z]/.test(name)) return 'must be lowercase';
  if (!DNS1123_LABEL.test(name)) {
    return 'may contain only lowercase letters, digits and "-", and must start and end with a letter or digit';
  }
  return undefined;
}

/** `group:default/payments-team` → `payments-team`. */
export function entityName(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':');
  return ref.slice(Math.max(slash, colon) + 1);
}

/** `orders-db` → `ORDERS_DB_`: prefix for the environment variables of a connection secret. */
export function envPrefix(resourceName: string): string {
  return `${resourceName.replace(/-/g, '_').toUpperCase()}_`;
}

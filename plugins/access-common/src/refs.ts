import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** `payments-team` or `default/payments-team` → `group:default/payments-team`. */
export function groupRef(ref: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref.toLocaleLowerCase('en-US'), {
      defaultKind: 'group',
      defaultNamespace: 'default',
    }),
  );
}

/** Entity refs compare case-insensitively, as the catalog does. */
export function sameRef(a: string, b: string): boolean {
  return a.toLocaleLowerCase('en-US') === b.toLocaleLowerCase('en-US');
}

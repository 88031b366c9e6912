import { stringifyEntityRef } from '@backstage/catalog-model';
import { groupRef, sameRef } from './refs';

/** The parts of a Group entity that membership is computed from. */
export type GroupLike = {
  metadata: { name: string; namespace?: string };
  spec?: { parent?: string };
};

/** The fields a group lookup asks the catalog for: a Group's relations can be thousands of users. */
export const GROUP_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'spec.parent',
];

/** The parts of a User entity that membership is computed from. */
export type UserLike = {
  metadata: { name: string; namespace?: string };
  spec?: { memberOf?: string[] };
};

/**
 * The refs a signed-in user owns through: the user, each group they are a
 * member of, and every ancestor of those groups (a member of payments-team is
 * also a member of its parent, contoso). `groupsByRefs` looks groups up in the
 * catalog, answering in the order asked (undefined for an unknown one): one
 * call per level of the hierarchy, not one per group. Unknown groups are kept
 * as direct memberships but have no parents.
 */
export async function ownershipRefsOf(
  user: UserLike,
  groupsByRefs: (refs: string[]) => Promise<(GroupLike | undefined | null)[]>,
): Promise<string[]> {
  const userRef = stringifyEntityRef({
    kind: 'user',
    namespace: user.metadata.namespace ?? 'default',
    name: user.metadata.name,
  });
  const refs = [userRef];
  const seen = new Set<string>();
  let frontier = (user.spec?.memberOf ?? []).map(groupRef);
  // Bounded: a parent loop in the catalog must not hang sign-in.
  for (let depth = 0; frontier.length > 0 && depth < 20; depth++) {
    const next: string[] = [];
    const level = [...new Set(frontier)].filter(ref => !seen.has(ref));
    if (level.length === 0) break;
    const found = await groupsByRefs(level);
    for (const [i, ref] of level.entries()) {
      seen.add(ref);
      refs.push(ref);
      const group = found[i];
      if (group?.spec?.parent) {
        next.push(
          groupRef(
            group.spec.parent.includes('/')
              ? group.spec.parent
              : `${group.metadata.namespace ?? 'default'}/${group.spec.parent}`,
          ),
        );
      }
    }
    frontier = next;
  }
  return refs;
}

/** Whether any of the caller's ownership refs is one of `groups`. */
export function isMemberOfAny(
  ownershipRefs: string[],
  groups: string[],
): boolean {
  return ownershipRefs.some(own => groups.some(g => sameRef(own, g)));
}

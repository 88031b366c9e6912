import { stringifyEntityRef } from '@backstage/catalog-model';
import { groupRef, sameRef } from './refs';

/** The parts of a Group entity that membership is computed from. */
export type GroupLike = {
  metadata: { name: string; namespace?: string };
  spec?: { parent?: string };
};

/** The parts of a User entity that membership is computed from. */
export type UserLike = {
  metadata: { name: string; namespace?: string };
  spec?: { memberOf?: string[] };
};

/**
 * The refs a signed-in user owns through: the user, each group they are a
 * member of, and every ancestor of those groups (a member of payments-team is
 * also a member of its parent, contoso). `groupByRef` looks a group up in the
 * catalog; unknown groups are kept as direct memberships but have no parents.
 */
export async function ownershipRefsOf(
  user: UserLike,
  groupByRef: (ref: string) => Promise<GroupLike | undefined>,
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
    for (const ref of frontier) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      refs.push(ref);
      const group = await groupByRef(ref);
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

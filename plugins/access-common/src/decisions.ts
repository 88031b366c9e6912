import { AccessSettings } from './config';
import { isMemberOfAny } from './membership';
import { groupRef } from './refs';

export type OwnerDecision =
  | { allowed: true; as: 'member' | 'platform-admin' }
  | { allowed: false; message: string };

/** Whether the caller is a platform admin. */
export function isPlatformAdmin(
  ownershipRefs: string[],
  settings: AccessSettings,
): boolean {
  return isMemberOfAny(ownershipRefs, settings.platformAdmins);
}

/** Whether the caller may read the catalog at all. */
export function mayReadCatalog(
  ownershipRefs: string[],
  settings: AccessSettings,
): boolean {
  if (!settings.catalogReaders) return true;
  return (
    isPlatformAdmin(ownershipRefs, settings) ||
    isMemberOfAny(ownershipRefs, settings.catalogReaders)
  );
}

/**
 * Whether a user may create or change something owned by `owner` through a
 * golden path: only for a team they belong to (directly or through a child
 * group), or as a platform admin. The message says what to do instead.
 */
export function decideOwner(options: {
  userRef: string;
  ownershipRefs: string[];
  owner: string;
  settings: AccessSettings;
}): OwnerDecision {
  const owner = groupRef(options.owner);
  if (isMemberOfAny(options.ownershipRefs, [owner])) {
    return { allowed: true, as: 'member' };
  }
  if (isPlatformAdmin(options.ownershipRefs, options.settings)) {
    return { allowed: true, as: 'platform-admin' };
  }
  const teams = options.ownershipRefs.filter(r => r.startsWith('group:'));
  return {
    allowed: false,
    message: `${options.userRef} is not a member of ${owner}, so it cannot be the owner. ${
      teams.length
        ? `Choose one of your teams (${teams.join(', ')}), or ask a member of ${owner} to run this golden path.`
        : `You are in no team in the catalog; ask the platform team to add you to your team's group.`
    }`,
  };
}

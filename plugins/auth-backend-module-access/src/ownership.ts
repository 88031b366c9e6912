import { AuditorService, AuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { AuthOwnershipResolver } from '@backstage/plugin-auth-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AUDIT_EVENTS,
  GROUP_FIELDS,
  GroupLike,
  ownershipRefsOf,
} from '@internal/plugin-access-common';

/**
 * Puts the user, their groups and every ancestor group into the token's
 * ownership claims, so a member of payments-team also owns what its parent
 * owns. Runs on every sign-in with a catalog user, whichever provider, so it
 * also records the sign-in for the audit trail.
 */
export function createAccessOwnershipResolver(options: {
  catalog: CatalogService;
  auth: AuthService;
  auditor?: AuditorService;
}): AuthOwnershipResolver {
  const { catalog, auth, auditor } = options;
  return {
    async resolveOwnershipEntityRefs(entity: Entity) {
      const credentials = await auth.getOwnServiceCredentials();
      const ownershipEntityRefs = await ownershipRefsOf(
        entity,
        async refs =>
          (
            await catalog.getEntitiesByRefs(
              { entityRefs: refs, fields: GROUP_FIELDS },
              { credentials },
            )
          ).items as (GroupLike | undefined)[],
      );
      const event = await auditor?.createEvent({
        eventId: AUDIT_EVENTS.signIn,
        severityLevel: 'low',
        meta: { actor: stringifyEntityRef(entity), ownershipEntityRefs },
      });
      await event?.success();
      return { ownershipEntityRefs };
    },
  };
}

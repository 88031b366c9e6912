import {
  AuditorService,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AccessSettings,
  AUDIT_EVENTS,
  decideOwner,
  groupRef,
  GROUP_FIELDS,
  GroupLike,
  ownershipRefsOf,
  UserLike,
} from '@internal/plugin-access-common';

/**
 * The server-side owner check of every golden path: whatever the form sent,
 * the user must belong to the owning team (directly or through a child
 * group) or be a platform admin. Membership is read from the catalog at run
 * time, not from the token, so a user removed from a team loses it at once.
 */
export class OwnerGuard {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      settings: AccessSettings;
      auditor?: AuditorService;
    },
  ) {}

  async check(
    ctx: {
      user?: { ref?: string };
      logger: LoggerService;
      task: { id: string };
      templateInfo?: { entityRef?: string };
    },
    owner: string,
    entityRef: string,
  ): Promise<void> {
    const userRef = ctx.user?.ref;
    if (!userRef) {
      await this.audit(ctx, 'anonymous', owner, entityRef, 'no signed-in user');
      throw new NotAllowedError(
        'Golden paths run only for a signed-in user; this task has none, so nothing was changed.',
      );
    }
    const { catalog, auth, settings } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const user = (await catalog.getEntityByRef(userRef, { credentials })) as
      | UserLike
      | undefined;
    const ownershipRefs = user
      ? await ownershipRefsOf(
          user,
          async refs =>
            (
              await catalog.getEntitiesByRefs(
                { entityRefs: refs, fields: GROUP_FIELDS },
                { credentials },
              )
            ).items as (GroupLike | undefined)[],
        )
      : [userRef];
    const decision = decideOwner({ userRef, ownershipRefs, owner, settings });
    if (!decision.allowed) {
      await this.audit(ctx, userRef, owner, entityRef, decision.message);
      throw new NotAllowedError(`${decision.message} Nothing was changed.`);
    }
    if (decision.as === 'platform-admin') {
      ctx.logger.info(
        `${userRef} acts for ${groupRef(owner)} as a platform admin`,
      );
    }
  }

  private async audit(
    ctx: { task: { id: string }; templateInfo?: { entityRef?: string } },
    actor: string,
    owner: string,
    entityRef: string,
    reason: string,
  ) {
    const event = await this.options.auditor?.createEvent({
      eventId: AUDIT_EVENTS.permissionDenied,
      severityLevel: 'medium',
      meta: {
        actor,
        action: 'golden-path-owner',
        entityRef,
        owner: groupRef(owner),
        taskId: ctx.task.id,
        template: ctx.templateInfo?.entityRef,
      },
    });
    await event?.fail({ error: new Error(reason) });
  }
}

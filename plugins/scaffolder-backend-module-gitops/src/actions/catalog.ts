import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CatalogService, locationSpecToLocationEntity } from '@backstage/plugin-catalog-node';
import { blankAsUnset } from '@internal/plugin-gitops-common';
import { z } from 'zod/v3';
import { parseInput } from './input';

const registerSchema = z.object({
  catalogInfoUrl: z.string().url().describe('The catalog-info.yaml to register, as a URL the catalog can read'),
  entityRef: z.string().min(1).describe('The entity it holds, e.g. component:default/payments-api'),
});

/** The catalog's answer when a location with this target is already registered. */
function isAlreadyRegistered(error: any): boolean {
  return error?.name === 'ConflictError' || error?.response?.status === 409 || error?.statusCode === 409;
}

/**
 * gitops:catalog:register: catalog:register that a re-run can repeat. A task taken up again
 * after a crash may have added the location just before it died; that location is this
 * request's, so it counts as registered. Any other failure fails the step.
 */
export function createCatalogRegisterAction(deps: { catalog: CatalogService }) {
  return createTemplateAction({
    id: 'gitops:catalog:register',
    description:
      'Registers a catalog-info.yaml in the catalog as the user; an entity or location already there from an earlier run of the same request is left as it is.',
    examples: [
      {
        description: 'Register the new component',
        example:
          'steps:\n  - id: register\n    action: gitops:catalog:register\n    input:\n      catalogInfoUrl: https://github.com/contoso/payments-api/blob/main/catalog-info.yaml\n      entityRef: component:default/payments-api\n',
      },
    ],
    schema: {
      input: () => registerSchema,
      output: zod => zod.object({ entityRef: zod.string(), registered: zod.boolean() }),
    },
    async handler(ctx) {
      const input = parseInput(registerSchema, ctx.input);
      const credentials = await ctx.getInitiatorCredentials();
      ctx.output('entityRef', input.entityRef);
      if (await deps.catalog.getEntityByRef(input.entityRef, { credentials })) {
        ctx.logger.info(`${input.entityRef} is already in the catalog; nothing to register`);
        ctx.output('registered', false);
        return;
      }
      ctx.logger.info(`Registering ${input.catalogInfoUrl} in the catalog`);
      try {
        await deps.catalog.addLocation({ type: 'url', target: input.catalogInfoUrl }, { credentials });
        ctx.output('registered', true);
      } catch (error: any) {
        if (!isAlreadyRegistered(error)) {
          // The catalog's own reason, not just "Request failed with 400".
          const said = error?.body?.error?.message ?? error?.message ?? String(error);
          throw new Error(
            `The catalog did not register ${input.catalogInfoUrl}: ${said}. Nothing else changed; check the URL is readable by the catalog and run the task again.`,
          );
        }
        ctx.logger.info(`${input.catalogInfoUrl} was already registered by an earlier run of this request`);
        ctx.output('registered', false);
      }
    },
  });
}

const inputSchema = z.object({
  entityRef: z.string().min(1).describe('The entity to wait for, e.g. component:default/payments-api'),
  catalogInfoUrl: blankAsUnset(
    z.string().url().optional().describe('The location gitops:catalog:register added, to ask the catalog to process again'),
  ),
  timeoutSeconds: blankAsUnset(z.number().min(1).max(300).default(30)),
});

/** Longer than the catalog normally takes (its loop polls every second), so a nudge is rare. */
const NUDGE_AFTER_MS = 3000;
const NUDGE_EVERY_MS = 5000;

/** The Location entity the catalog makes for a registered URL. */
export function locationEntityRef(catalogInfoUrl: string): string {
  return stringifyEntityRef(locationSpecToLocationEntity({ location: { type: 'url', target: catalogInfoUrl } }));
}

/**
 * gitops:catalog:wait: the catalog stores a registered entity a moment after
 * catalog:register returns; waiting here means "Open in catalog" at the end of
 * the task opens the entity rather than "Entity not found".
 *
 * A replica that dies while processing the location keeps its claim on it until the claim
 * expires (100-150 s), so an entity late by more than a few seconds is asked for again
 * through the catalog's refresh, for the entity and for its location.
 */
export function createCatalogWaitAction(deps: { catalog: CatalogService; auth: AuthService }) {
  return createTemplateAction({
    id: 'gitops:catalog:wait',
    description: 'Waits until an entity is in the catalog (after catalog:register), up to a timeout.',
    examples: [
      {
        description: 'Wait for the new component',
        example:
          'steps:\n  - id: wait\n    action: gitops:catalog:wait\n    input:\n      entityRef: component:default/payments-api\n      catalogInfoUrl: https://github.com/contoso/payments-api/blob/main/catalog-info.yaml\n',
      },
    ],
    schema: {
      input: () => inputSchema,
    },
    async handler(ctx) {
      const input = parseInput(inputSchema, ctx.input);
      const credentials = await ctx.getInitiatorCredentials();
      const started = Date.now();
      const deadline = started + input.timeoutSeconds * 1000;
      let nudgeAt = started + NUDGE_AFTER_MS;
      for (;;) {
        ctx.signal?.throwIfAborted();
        const entity = await deps.catalog.getEntityByRef(input.entityRef, { credentials });
        if (entity) {
          ctx.logger.info(`${input.entityRef} is in the catalog`);
          return;
        }
        if (Date.now() > deadline) {
          // Not a failure of the golden path: everything is committed and registered.
          ctx.logger.warn(
            `${input.entityRef} is registered but not in the catalog yet; it will appear after the catalog's next processing round.`,
          );
          return;
        }
        if (Date.now() >= nudgeAt) {
          nudgeAt = Date.now() + NUDGE_EVERY_MS;
          await nudge(deps, ctx.logger, [
            input.entityRef,
            ...(input.catalogInfoUrl ? [locationEntityRef(input.catalogInfoUrl)] : []),
          ]);
        }
        await new Promise(r => setTimeout(r, 150));
      }
    },
  });
}

/**
 * Refreshes what exists of `refs`. As the scaffolder itself, not the user: refreshing only
 * reprocesses what the user has registered, and a Location entity has no owner a user
 * could be allowed through.
 */
async function nudge(
  deps: { catalog: CatalogService; auth: AuthService },
  logger: LoggerService,
  refs: string[],
) {
  const credentials = await deps.auth.getOwnServiceCredentials();
  const asked: string[] = [];
  for (const ref of refs) {
    try {
      await deps.catalog.refreshEntity(ref, { credentials });
      asked.push(ref);
    } catch (error: any) {
      // Not stored yet: the other ref, or the next round, covers it. Anything else is said,
      // and the wait goes on; the entity may still come in its own time.
      if (error?.name !== 'NotFoundError' && error?.response?.status !== 404) {
        logger.warn(`The catalog did not refresh ${ref}: ${error?.message ?? error}`);
      }
    }
  }
  if (asked.length) logger.info(`Asked the catalog to process ${asked.join(' and ')} again`);
}

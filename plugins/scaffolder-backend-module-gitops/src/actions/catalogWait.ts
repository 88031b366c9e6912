import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * gitops:catalog:wait: the catalog stores a registered entity a moment after
 * catalog:register returns; waiting here means "Open in catalog" at the end of
 * the task opens the entity rather than "Entity not found".
 */
export function createCatalogWaitAction(deps: { catalog: CatalogService }) {
  return createTemplateAction({
    id: 'gitops:catalog:wait',
    description: 'Waits until an entity is in the catalog (after catalog:register), up to a timeout.',
    examples: [
      {
        description: 'Wait for the new component',
        example: 'steps:\n  - id: wait\n    action: gitops:catalog:wait\n    input:\n      entityRef: component:default/payments-api\n',
      },
    ],
    schema: {
      input: {
        entityRef: z => z.string(),
        timeoutSeconds: z => z.number().min(1).max(300).optional(),
      },
    },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      const deadline = Date.now() + (ctx.input.timeoutSeconds ?? 30) * 1000;
      for (;;) {
        ctx.signal?.throwIfAborted();
        const entity = await deps.catalog.getEntityByRef(ctx.input.entityRef, { credentials });
        if (entity) {
          ctx.logger.info(`${ctx.input.entityRef} is in the catalog`);
          return;
        }
        if (Date.now() > deadline) {
          // Not a failure of the golden path: everything is committed and registered.
          ctx.logger.warn(
            `${ctx.input.entityRef} is registered but not in the catalog yet; it will appear after the catalog's next processing round.`,
          );
          return;
        }
        await new Promise(r => setTimeout(r, 150));
      }
    },
  });
}

import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { blankAsUnset } from '@internal/plugin-gitops-common';
import { z } from 'zod/v3';
import { parseInput } from './input';

const inputSchema = z.object({
  entityRef: z.string().min(1).describe('The entity to wait for, e.g. component:default/payments-api'),
  timeoutSeconds: blankAsUnset(z.number().min(1).max(300).default(30)),
});

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
      input: () => inputSchema,
    },
    async handler(ctx) {
      const input = parseInput(inputSchema, ctx.input);
      const credentials = await ctx.getInitiatorCredentials();
      const deadline = Date.now() + input.timeoutSeconds * 1000;
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
        await new Promise(r => setTimeout(r, 150));
      }
    },
  });
}

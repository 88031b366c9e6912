import { AUDIT_EVENTS } from '@internal/plugin-access-common';
import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { AzureMonitorService } from './services/AzureMonitorService';
import { METRICS_RANGES, MetricsRange } from './types';

export type RouterOptions = {
  httpAuth: HttpAuthService;
  /** Records reads refused because the entity is missing or not readable. */
  auditor?: AuditorService;
  catalog: CatalogService;
  azureMonitor: Pick<
    AzureMonitorService,
    'getResources' | 'getMetrics' | 'getAlerts'
  >;
};

const entityParams = z.object({
  kind: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,62}$/),
  namespace: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/),
  name: z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/),
});

const metricsQuery = z.object({
  range: z
    .enum(METRICS_RANGES as [MetricsRange, ...MetricsRange[]])
    .default('1h'),
});

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, catalog, azureMonitor, auditor } = options;
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** The entity, or 404 when it does not exist or the caller may not read it. */
  const readableEntity = async (req: express.Request): Promise<Entity> => {
    const parsed = entityParams.safeParse(req.params);
    if (!parsed.success) {
      throw new InputError(
        `Invalid entity reference: ${parsed.error.issues
          .map(i => i.path.join('.'))
          .join(', ')}`,
      );
    }
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = stringifyEntityRef(parsed.data);
    // The catalog applies its read permission rules to the caller: a denied entity is
    // indistinguishable from a missing one, so nothing about it leaks.
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      const event = await auditor?.createEvent({
        eventId: AUDIT_EVENTS.permissionDenied,
        severityLevel: 'low',
        request: req,
        meta: { action: 'azure-monitor-read', entityRef, reason: 'missing, or not readable by the caller' },
      });
      await event?.fail({ error: new NotFoundError(`no entity ${entityRef}`) });
      throw new NotFoundError(`no entity ${entityRef}`);
    }
    return entity;
  };

  router.get(
    '/v1/entities/:kind/:namespace/:name/resources',
    async (req, res) => {
      const entity = await readableEntity(req);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await azureMonitor.getResources(entity));
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/metrics',
    async (req, res) => {
      const query = metricsQuery.safeParse(req.query);
      if (!query.success) {
        throw new InputError(
          `range must be one of ${METRICS_RANGES.join(', ')}`,
        );
      }
      const entity = await readableEntity(req);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await azureMonitor.getMetrics(entity, query.data.range));
    },
  );

  router.get('/v1/entities/:kind/:namespace/:name/alerts', async (req, res) => {
    const entity = await readableEntity(req);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await azureMonitor.getAlerts(entity));
  });

  return router;
}

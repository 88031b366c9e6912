import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  METRICS_RANGES,
  MetricsRange,
} from '@internal/plugin-azure-monitor-common';
import { AzureMonitorReader } from '@internal/plugin-azure-monitor-node';
import { readableEntity } from '@internal/plugin-platform-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';

export type RouterOptions = {
  httpAuth: HttpAuthService;
  /** Records reads refused because the entity is missing or not readable. */
  auditor?: AuditorService;
  catalog: CatalogService;
  azureMonitor: AzureMonitorReader;
};

const metricsQuery = z.object({
  range: z
    .enum(METRICS_RANGES as [MetricsRange, ...MetricsRange[]])
    .default('1h'),
});

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { azureMonitor } = options;
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // The catalog applies its read permission rules to the caller: a denied entity is
  // indistinguishable from a missing one, so nothing about it leaks.
  const entityOf = (req: express.Request) =>
    readableEntity(options, req, 'azure-monitor-read');

  router.get(
    '/v1/entities/:kind/:namespace/:name/resources',
    async (req, res) => {
      const entity = await entityOf(req);
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
      const entity = await entityOf(req);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await azureMonitor.getMetrics(entity, query.data.range));
    },
  );

  router.get('/v1/entities/:kind/:namespace/:name/alerts', async (req, res) => {
    const entity = await entityOf(req);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await azureMonitor.getAlerts(entity));
  });

  return router;
}

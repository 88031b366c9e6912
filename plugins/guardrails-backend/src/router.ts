import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  componentsOf,
  EntityGuardrailsResponse,
  GuardrailsReport,
  RuleDescription,
  rulesReport,
  ServiceEvaluation,
} from '@internal/plugin-guardrails-common';
import { KUBERNETES_ID_ANNOTATION } from '@internal/plugin-platform-common';
import { readableEntity } from '@internal/plugin-platform-node';
import express from 'express';
import Router from 'express-promise-router';
import { ScanState } from './GitOpsScanner';

export type RouterOptions = {
  httpAuth: HttpAuthService;
  auditor?: AuditorService;
  catalog: CatalogService;
  rules: RuleDescription[];
  scans: { current(): ScanState };
};

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, catalog, rules, scans, auditor } = options;
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Only the services whose component the caller may read in the catalog; the rest are counted
  // in scan.services and nothing else, so the report reveals no more than the catalog would.
  const visible = async (
    evaluations: ServiceEvaluation[],
    credentials: BackstageCredentials,
  ) => {
    const services = [...new Set(evaluations.map(e => e.service))];
    if (services.length === 0) return [];
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: services.map(s => `component:default/${s}`),
        fields: ['kind', 'metadata.name'],
      },
      { credentials },
    );
    const readable = new Set(services.filter((_, i) => items[i]));
    return evaluations.filter(e => readable.has(e.service));
  };

  router.get('/v1/report', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const { scan, evaluations } = scans.current();
    const shown = await visible(evaluations, credentials);
    const body: GuardrailsReport = {
      scan,
      rules: rulesReport(rules, shown),
      components: componentsOf(shown),
    };
    res.json(body);
  });

  router.get('/v1/entities/:kind/:namespace/:name', async (req, res) => {
    const entity = await readableEntity({ httpAuth, catalog, auditor }, req, 'guardrails-read');
    // The golden paths name the service after the component and label its objects with it.
    const service =
      entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ?? entity.metadata.name;
    const { scan, evaluations } = scans.current();
    const [component] = componentsOf(evaluations.filter(e => e.service === service));
    const body: EntityGuardrailsResponse = { scan, ...(component ? { component } : {}) };
    res.json(body);
  });

  return router;
}

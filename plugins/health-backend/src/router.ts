import { AKS_TOKEN_HEADER } from '@internal/plugin-platform-common';
import { entityRefOfParams, refuseUnreadable } from '@internal/plugin-platform-node';
import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { HealthService, healthTarget } from './services/HealthService';
import {
  EntityHealth,
  EnvironmentsResponse,
  ResourcesResponse,
  VerdictResponse,
} from '@internal/plugin-health-common';

export type RouterOptions = {
  httpAuth: HttpAuthService;
  /** Records reads refused because the entity is missing or not readable. */
  auditor?: AuditorService;
  catalog: CatalogService;
  health: Pick<HealthService, 'getEntityHealth'>;
};

/** How many entities the router remembers, to start reading clusters before the catalog answers. */
const REMEMBERED_ENTITIES = 1000;

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, catalog, health, auditor } = options;
  const router = Router();
  // The entity as the catalog last gave it to a caller allowed to read it.
  const remembered = new Map<string, Entity>();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** The entity's health, or 404 when the caller may not read the entity or it does not exist. */
  const entityHealth = async (req: express.Request): Promise<EntityHealth> => {
    const entityRef = entityRefOfParams(req.params);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const healthOptions = {
      userAksToken: bearerToken(req.header(AKS_TOKEN_HEADER)),
    };
    // An entity seen before is read from the clusters while the catalog checks this caller
    // again; nothing read is answered before that check passes.
    const seen = remembered.get(entityRef);
    const early = seen && health.getEntityHealth(seen, healthOptions);
    early?.catch(() => {});
    // The catalog applies its read permission rules to the caller: a denied entity is
    // indistinguishable from a missing one, so this answer reveals nothing either way,
    // and it does not wait for the early read.
    const entity: Entity | undefined = await catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) throw await refuseUnreadable(auditor, req, 'health-read', entityRef);
    remember(remembered, entityRef, entity);
    // Same kubernetes-id and namespace as before: the early read is the one answered, even
    // when it finished before the catalog did and its cache entry has already expired.
    if (early && sameTarget(seen, entity)) return early;
    return health.getEntityHealth(entity, healthOptions);
  };

  router.get(
    '/v1/entities/:kind/:namespace/:name/verdict',
    async (req, res) => {
      const answer = await entityHealth(req);
      const body: VerdictResponse = {
        ...common(answer),
        verdict: answer.verdict,
        // The summary card shows each environment's state beside the verdict.
        environments: answer.environments.map(row => ({
          environment: row.environment,
          cluster: row.cluster,
          state: row.verdict.state,
        })),
      };
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(body);
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/environments',
    async (req, res) => {
      const answer = await entityHealth(req);
      const body: EnvironmentsResponse = {
        ...common(answer),
        environments: answer.environments,
      };
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(body);
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/resources',
    async (req, res) => {
      const answer = await entityHealth(req);
      const body: ResourcesResponse = {
        ...common(answer),
        resources: answer.resources,
      };
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(body);
    },
  );

  return router;
}

/** What every card's answer carries besides its own part. */
function common({
  entityRef,
  failures,
  generatedAt,
  stale,
  notConfigured,
}: EntityHealth) {
  return {
    entityRef,
    failures,
    generatedAt,
    ...(stale ? { stale } : {}),
    ...(notConfigured ? { notConfigured } : {}),
  };
}

function sameTarget(a: Entity, b: Entity): boolean {
  const [x, y] = [healthTarget(a), healthTarget(b)];
  return (
    x.entityRef === y.entityRef &&
    x.kubernetesId === y.kubernetesId &&
    x.namespace === y.namespace
  );
}

function remember(
  remembered: Map<string, Entity>,
  entityRef: string,
  entity: Entity,
) {
  remembered.delete(entityRef);
  remembered.set(entityRef, entity);
  if (remembered.size > REMEMBERED_ENTITIES) {
    remembered.delete(remembered.keys().next().value!);
  }
}

/** Accepts the raw token, as the Kubernetes frontend sends it, or `Bearer <token>`. */
function bearerToken(header: string | undefined): string | undefined {
  const token = header?.replace(/^Bearer\s+/i, '').trim();
  return token ? token : undefined;
}

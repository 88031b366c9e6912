import { AUDIT_EVENTS } from '@internal/plugin-access-common';
import { AKS_TOKEN_HEADER } from '@internal/plugin-platform-common';
import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { HealthService, healthTarget } from './services/HealthService';
import {
  EntityHealth,
  EnvironmentsResponse,
  ResourcesResponse,
  VerdictResponse,
} from './types';


export type RouterOptions = {
  httpAuth: HttpAuthService;
  /** Records reads refused because the entity is missing or not readable. */
  auditor?: AuditorService;
  catalog: CatalogService;
  health: Pick<HealthService, 'getEntityHealth'>;
};

// Catalog kinds, namespaces and names; anything else cannot name an entity.
const entityParams = z.object({
  kind: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,62}$/),
  namespace: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/),
  name: z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/),
});

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
    const parsed = entityParams.safeParse(req.params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(
        `Invalid entity reference: ${issue.path.join(
          '.',
        )} is not a valid catalog ${issue.path.join('.')}`,
      );
    }
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = stringifyEntityRef(parsed.data);
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
    if (!entity) {
      const event = await auditor?.createEvent({
        eventId: AUDIT_EVENTS.permissionDenied,
        severityLevel: 'low',
        request: req,
        meta: { action: 'health-read', entityRef, reason: 'missing, or not readable by the caller' },
      });
      await event?.fail({ error: new NotFoundError(`no entity ${entityRef}`) });
      throw new NotFoundError(`no entity ${entityRef}`);
    }
    remember(remembered, entityRef, entity);
    // Same kubernetes-id and namespace as before: the early read is the one answered, even
    // when it finished before the catalog did and its cache entry has already expired.
    if (early && sameTarget(seen, entity)) return early;
    return health.getEntityHealth(entity, healthOptions);
  };

  router.get(
    '/v1/entities/:kind/:namespace/:name/verdict',
    async (req, res) => {
      const health = await entityHealth(req);
      const body: VerdictResponse = {
        ...common(health),
        verdict: health.verdict,
        // The summary card shows each environment's state beside the verdict.
        environments: health.environments.map(row => ({
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
      const health = await entityHealth(req);
      const body: EnvironmentsResponse = {
        ...common(health),
        environments: health.environments,
      };
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(body);
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/resources',
    async (req, res) => {
      const health = await entityHealth(req);
      const body: ResourcesResponse = {
        ...common(health),
        resources: health.resources,
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

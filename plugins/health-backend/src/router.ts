import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { HealthService } from './services/HealthService';
import {
  EntityHealth,
  EnvironmentsResponse,
  ResourcesResponse,
  VerdictResponse,
} from './types';

/**
 * The header Backstage's Kubernetes frontend sends the user's Microsoft token in for
 * `authProvider: aks` clusters; the health frontend forwards the same one.
 */
export const AKS_TOKEN_HEADER = 'backstage-kubernetes-authorization-aks';

export type RouterOptions = {
  httpAuth: HttpAuthService;
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

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, catalog, health } = options;
  const router = Router();

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
    // The catalog applies its read permission rules to the caller: a denied entity is
    // indistinguishable from a missing one, so this answer reveals nothing either way.
    const entity: Entity | undefined = await catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`no entity ${entityRef}`);
    }
    return health.getEntityHealth(entity, {
      userAksToken: bearerToken(req.header(AKS_TOKEN_HEADER)),
    });
  };

  router.get(
    '/v1/entities/:kind/:namespace/:name/verdict',
    async (req, res) => {
      const { entityRef, verdict, failures, generatedAt } = await entityHealth(
        req,
      );
      const body: VerdictResponse = {
        entityRef,
        verdict,
        failures,
        generatedAt,
      };
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(body);
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/environments',
    async (req, res) => {
      const { entityRef, environments, failures, generatedAt } =
        await entityHealth(req);
      const body: EnvironmentsResponse = {
        entityRef,
        environments,
        failures,
        generatedAt,
      };
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(body);
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/resources',
    async (req, res) => {
      const { entityRef, resources, failures, generatedAt } =
        await entityHealth(req);
      const body: ResourcesResponse = {
        entityRef,
        resources,
        failures,
        generatedAt,
      };
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(body);
    },
  );

  return router;
}

/** Accepts the raw token, as the Kubernetes frontend sends it, or `Bearer <token>`. */
function bearerToken(header: string | undefined): string | undefined {
  const token = header?.replace(/^Bearer\s+/i, '').trim();
  return token ? token : undefined;
}

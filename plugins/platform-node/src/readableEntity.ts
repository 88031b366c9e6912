import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { AUDIT_EVENTS } from '@internal/plugin-access-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import type { Request } from 'express';
import { z } from 'zod';

// Catalog kinds, namespaces and names; anything else cannot name an entity.
const entityParams = z.object({
  kind: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,62}$/),
  namespace: z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/),
  name: z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/),
});

/** The entity reference of a `/:kind/:namespace/:name` route; InputError when it cannot name one. */
export function entityRefOfParams(params: unknown): string {
  const parsed = entityParams.safeParse(params);
  if (!parsed.success) {
    const field = parsed.error.issues[0].path.join('.');
    throw new InputError(`Invalid entity reference: ${field} is not a valid catalog ${field}`);
  }
  return stringifyEntityRef(parsed.data as CompoundEntityRef);
}

/**
 * Audits a read refused because the entity is missing or the caller may not read it, and
 * returns the NotFoundError to throw: the two cases answer alike, so nothing leaks.
 */
export async function refuseUnreadable(
  auditor: AuditorService | undefined,
  req: Request,
  action: string,
  entityRef: string,
): Promise<NotFoundError> {
  const error = new NotFoundError(`no entity ${entityRef}`);
  const event = await auditor?.createEvent({
    eventId: AUDIT_EVENTS.permissionDenied,
    severityLevel: 'low',
    request: req,
    meta: { action, entityRef, reason: 'missing, or not readable by the caller' },
  });
  await event?.fail({ error });
  return error;
}

/**
 * The entity a route names, read from the catalog as the caller, so the catalog's
 * permission rules decide; 404 (audited as `action`) when it is missing or not readable.
 */
export async function readableEntity(
  deps: { httpAuth: HttpAuthService; catalog: CatalogService; auditor?: AuditorService },
  req: Request,
  action: string,
): Promise<Entity> {
  const entityRef = entityRefOfParams(req.params);
  const credentials = await deps.httpAuth.credentials(req, { allow: ['user', 'service'] });
  const entity = await deps.catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) throw await refuseUnreadable(deps.auditor, req, action, entityRef);
  return entity;
}

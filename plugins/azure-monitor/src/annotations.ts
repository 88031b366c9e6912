import { Entity } from '@backstage/catalog-model';

export {
  AZURE_MONITOR_ANNOTATIONS,
  AZURE_RESOURCE_GROUP_ANNOTATION,
  AZURE_RESOURCE_ID_ANNOTATION,
  AZURE_TAG_SELECTOR_ANNOTATION,
} from '@internal/plugin-azure-monitor-common';
import {
  AZURE_MONITOR_ANNOTATIONS,
} from '@internal/plugin-azure-monitor-common';

/** True for an entity that names its Azure resources through any of the three annotations. */
export const isAzureMonitorAvailable = (entity: Entity) =>
  AZURE_MONITOR_ANNOTATIONS.some(key =>
    Boolean(entity.metadata.annotations?.[key]?.trim()),
  );

/** The cards belong on Components; other kinds keep their pages uncluttered. */
export const isAzureMonitorCardShown = (entity: Entity) =>
  entity.kind.toLowerCase() === 'component' && isAzureMonitorAvailable(entity);

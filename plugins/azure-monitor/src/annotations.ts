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

/** Kinds whose entities stand for Azure resources: a workload's, or one resource itself. */
const KINDS_WITH_AZURE_RESOURCES = ['component', 'resource'];

/**
 * The cards belong on Components and Resources that name their Azure resources; other kinds
 * (systems, APIs, groups) keep their pages uncluttered.
 */
export const isAzureMonitorCardShown = (entity: Entity) =>
  KINDS_WITH_AZURE_RESOURCES.includes(entity.kind.toLowerCase()) &&
  isAzureMonitorAvailable(entity);

import { Entity } from '@backstage/catalog-model';

// The same keys as the backend's annotations.ts; copied so the frontend needs no backend code.

/** One or more full Azure Resource Manager ids of the component's resources, comma-separated. */
export const AZURE_RESOURCE_ID_ANNOTATION = 'azure.com/resource-id';
/** Every resource of one resource group: `<subscriptionId>/<resourceGroup>`. */
export const AZURE_RESOURCE_GROUP_ANNOTATION = 'azure.com/resource-group';
/** Resources carrying an Azure tag, `key=value`. */
export const AZURE_TAG_SELECTOR_ANNOTATION = 'azure.com/tag-selector';

export const AZURE_MONITOR_ANNOTATIONS = [
  AZURE_RESOURCE_ID_ANNOTATION,
  AZURE_RESOURCE_GROUP_ANNOTATION,
  AZURE_TAG_SELECTOR_ANNOTATION,
];

/** True for an entity that names its Azure resources through any of the three annotations. */
export const isAzureMonitorAvailable = (entity: Entity) =>
  AZURE_MONITOR_ANNOTATIONS.some(key =>
    Boolean(entity.metadata.annotations?.[key]?.trim()),
  );

/** The cards belong on Components; other kinds keep their pages uncluttered. */
export const isAzureMonitorCardShown = (entity: Entity) =>
  entity.kind.toLowerCase() === 'component' && isAzureMonitorAvailable(entity);

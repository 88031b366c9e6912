/**
 * Azure Monitor backend: a component's Azure resources, metrics and alerts.
 *
 * @packageDocumentation
 */
export { azureMonitorPlugin as default, azureMonitorPlugin } from './plugin';
export {
  AZURE_MONITOR_ANNOTATIONS,
  AZURE_RESOURCE_GROUP_ANNOTATION,
  AZURE_RESOURCE_ID_ANNOTATION,
  AZURE_TAG_SELECTOR_ANNOTATION,
  parseResourceId,
  readResourceSelectors,
} from './annotations';
export type { ParsedResourceId, ResourceSelectors } from './annotations';
export * from './types';

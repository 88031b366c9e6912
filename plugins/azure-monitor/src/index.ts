export { azureMonitorPlugin as default } from './plugin';
export { azureMonitorApiRef, AzureMonitorClient } from './api';
export type * from './api/types';
export { METRICS_RANGES } from './api/types';
export type { AzureMonitorApi } from './api';
export { AzureMetricsCard } from './components/AzureMetricsCard';
export { AzureAlertsCard } from './components/AzureAlertsCard';
export {
  AZURE_MONITOR_ANNOTATIONS,
  AZURE_RESOURCE_GROUP_ANNOTATION,
  AZURE_RESOURCE_ID_ANNOTATION,
  AZURE_TAG_SELECTOR_ANNOTATION,
  isAzureMonitorAvailable,
  isAzureMonitorCardShown,
} from './annotations';

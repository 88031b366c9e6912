export { AzureMonitorService, createCredential } from './AzureMonitorService';
export type { AzureMonitorServiceOptions } from './AzureMonitorService';
export { describeAzureFailure, parseRetryAfter } from './faults';
export { metricsFor, rangeWindow } from './metricCatalog';
export type { MetricChoice } from './metricCatalog';

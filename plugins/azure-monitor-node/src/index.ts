/**
 * Reading Azure Monitor for the backend plugins: a component's Azure resources, metrics
 * and firing alerts, from its `azure.com/*` annotations.
 *
 * @packageDocumentation
 */
export { AzureMonitorService } from './AzureMonitorService';
export type { AzureMonitorServiceOptions } from './AzureMonitorService';
export { readAzureMonitorConfig } from './config';
export type { AzureMonitorConfig } from './config';
export { azureMonitorServiceRef } from './azureMonitorServiceRef';
export type { AzureMonitorReader } from './azureMonitorServiceRef';

export { AzureMonitorService } from './AzureMonitorService';
export type { AzureMonitorServiceOptions } from './AzureMonitorService';

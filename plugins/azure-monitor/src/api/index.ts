export {
  azureMonitorApiRef,
  AzureMonitorClient,
  type AzureMonitorApi,
} from './AzureMonitorApi';
export * from './types';

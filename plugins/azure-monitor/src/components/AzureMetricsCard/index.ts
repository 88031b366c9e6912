export { AzureMetricsCard } from './AzureMetricsCard';

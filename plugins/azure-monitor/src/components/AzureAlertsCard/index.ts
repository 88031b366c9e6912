export { AzureAlertsCard } from './AzureAlertsCard';

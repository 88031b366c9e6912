/**
 * Azure Monitor backend: a component's Azure resources, metrics and alerts, at /api/azure-monitor.
 *
 * @packageDocumentation
 */
export { azureMonitorPlugin as default, azureMonitorPlugin } from './plugin';

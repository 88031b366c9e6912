import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isAzureMonitorCardShown } from './annotations';
import { azureMonitorApiRef, AzureMonitorClient } from './api';

const azureMonitorApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: azureMonitorApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AzureMonitorClient(deps),
    }),
});

const metricsCard = EntityCardBlueprint.make({
  name: 'metrics',
  params: {
    filter: isAzureMonitorCardShown,
    loader: () =>
      import('./components/AzureMetricsCard').then(m => <m.AzureMetricsCard />),
  },
});

const alertsCard = EntityCardBlueprint.make({
  name: 'alerts',
  params: {
    filter: isAzureMonitorCardShown,
    loader: () =>
      import('./components/AzureAlertsCard').then(m => <m.AzureAlertsCard />),
  },
});

/** Azure Monitor metrics and firing alerts on the overview of components and resources. */
export const azureMonitorPlugin = createFrontendPlugin({
  pluginId: 'azure-monitor',
  extensions: [azureMonitorApi, metricsCard, alertsCard],
});

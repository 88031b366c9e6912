import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { kubernetesAuthProvidersApiRef } from '@backstage/plugin-kubernetes-react';
import { healthApiRef, HealthClient } from './api';
import {
  isCloudResourcesAvailable,
  isWorkloadHealthAvailable,
} from './components/common/CardState';

const healthApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: healthApiRef,
      deps: {
        discoveryApi: discoveryApiRef,
        fetchApi: fetchApiRef,
        kubernetesAuthProvidersApi: kubernetesAuthProvidersApiRef,
      },
      factory: ({ discoveryApi, fetchApi, kubernetesAuthProvidersApi }) =>
        new HealthClient({
          discoveryApi,
          fetchApi,
          getAksToken: async () =>
            (await kubernetesAuthProvidersApi.getCredentials('aks')).token,
        }),
    }),
});

const healthVerdictCard = EntityCardBlueprint.make({
  name: 'verdict',
  params: {
    filter: isWorkloadHealthAvailable,
    loader: () =>
      import('./components/HealthVerdictCard').then(m => <m.HealthVerdictCard />),
  },
});

const environmentsCard = EntityCardBlueprint.make({
  name: 'environments',
  params: {
    filter: isWorkloadHealthAvailable,
    loader: () =>
      import('./components/EnvironmentsCard').then(m => <m.EnvironmentsCard />),
  },
});

const cloudResourcesCard = EntityCardBlueprint.make({
  name: 'cloud-resources',
  params: {
    filter: isCloudResourcesAvailable,
    loader: () =>
      import('./components/CloudResourcesCard').then(m => <m.CloudResourcesCard />),
  },
});

/**
 * Health, environments and cloud resources on a component's overview page; on a Resource's,
 * the Crossplane state of that resource.
 */
export const healthPlugin = createFrontendPlugin({
  pluginId: 'health',
  extensions: [healthApi, healthVerdictCard, environmentsCard, cloudResourcesCard],
});

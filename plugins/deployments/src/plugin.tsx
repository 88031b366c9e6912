import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { KUBERNETES_ID_ANNOTATION } from '@internal/plugin-platform-common';
import { DeploymentsClient, deploymentsApiRef } from './api';

const deploymentsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deploymentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DeploymentsClient(deps),
    }),
});

/** Components the golden paths deploy, found in the GitOps repository by their kubernetes-id. */
const isDeployed = (entity: Entity) =>
  entity.kind.toLowerCase() === 'component' &&
  Boolean(entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION]);

const deploymentsCard = EntityCardBlueprint.make({
  name: 'deployments',
  params: {
    filter: isDeployed,
    loader: () =>
      import('./components/DeploymentsCard').then(m => <m.DeploymentsCard />),
  },
});

const deploymentsContent = EntityContentBlueprint.make({
  name: 'deployments',
  params: {
    path: '/deployments',
    title: 'Deployments',
    group: 'deployment',
    filter: isDeployed,
    loader: () =>
      import('./components/DeploymentsCard').then(m => <m.DeploymentsCard variant="tab" />),
  },
});

/** Where each environment of a component stands, with Promote and Roll back. */
export const deploymentsPlugin = createFrontendPlugin({
  pluginId: 'deployments',
  extensions: [deploymentsApi, deploymentsCard, deploymentsContent],
});

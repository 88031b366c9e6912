import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { Entity } from '@backstage/catalog-model';
import { KUBERNETES_ID_ANNOTATION } from '@internal/plugin-platform-common';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import { GuardrailsClient, guardrailsApiRef } from './api';

const guardrailsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: guardrailsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GuardrailsClient(deps),
    }),
});

/** The Guardrails page; the sidebar links to it through this ref. */
export const rootRouteRef = createRouteRef();

const guardrailsPage = PageBlueprint.make({
  params: {
    path: '/guardrails',
    routeRef: rootRouteRef,
    title: 'Guardrails',
    icon: <VerifiedUserIcon />,
    noHeader: true,
    loader: () =>
      import('./components/GuardrailsPage').then(m => <m.GuardrailsPage />),
  },
});

/** Components the golden paths deploy: the scan finds them under their kubernetes-id. */
const isDeployedComponent = (entity: Entity) =>
  entity.kind.toLowerCase() === 'component' &&
  Boolean(entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION]);

const guardrailsCard = EntityCardBlueprint.make({
  name: 'findings',
  params: {
    filter: isDeployedComponent,
    loader: () =>
      import('./components/GuardrailsCard').then(m => <m.GuardrailsCard />),
  },
});

/** The Guardrails page, and on a component's overview the rules it breaks or is exempted from. */
export const guardrailsPlugin = createFrontendPlugin({
  pluginId: 'guardrails',
  title: 'Guardrails',
  icon: <VerifiedUserIcon />,
  routes: { root: rootRouteRef },
  extensions: [guardrailsApi, guardrailsPage, guardrailsCard],
});

import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';

// The catalog's new-frontend overview has no card for the components that depend on a
// Resource; the card exists among its classic exports, so it is wired in here.
const dependencyOfComponentsCard = EntityCardBlueprint.make({
  name: 'dependency-of-components',
  params: {
    filter: { kind: 'resource' },
    loader: () =>
      import('@backstage/plugin-catalog').then(m => (
        <m.EntityDependencyOfComponentsCard />
      )),
  },
});

export const catalogModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [dependencyOfComponentsCard],
});

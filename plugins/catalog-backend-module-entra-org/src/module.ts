import { createBackendModule } from '@backstage/backend-plugin-api';
import { microsoftGraphOrgEntityProviderTransformExtensionPoint } from '@backstage/plugin-catalog-backend-module-msgraph';
import { entraUserTransformer } from './userTransformer';

/** Our transforms for the upstream Microsoft Graph org provider. */
export const catalogModuleEntraOrg = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'entra-org',
  register(reg) {
    reg.registerInit({
      deps: {
        transforms: microsoftGraphOrgEntityProviderTransformExtensionPoint,
      },
      async init({ transforms }) {
        // A disabled Entra account must not become a catalog user who can sign in.
        transforms.setUserTransformer(entraUserTransformer);
      },
    });
  },
});

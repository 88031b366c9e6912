import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createRouter } from './router';
import { azureMonitorServiceRef } from '@internal/plugin-azure-monitor-node';

/**
 * Azure resources, metrics and firing alerts of a component, found from its `azure.com/*`
 * annotations and read with the backend's Azure identity, at /api/azure-monitor.
 *
 * @public
 */
export const azureMonitorPlugin = createBackendPlugin({
  pluginId: 'azure-monitor',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        azureMonitor: azureMonitorServiceRef,
      },
      async init({ httpRouter, httpAuth, auditor, catalog, azureMonitor }) {
        httpRouter.use(await createRouter({ httpAuth, auditor, catalog, azureMonitor }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});

import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { azureMonitorServiceRef } from '@internal/plugin-azure-monitor-node';
import { createRouter } from './router';
import { azureMonitorAlerts } from './services/azureAlerts';
import { HealthService } from './services/HealthService';

/**
 * Health verdict, environments and cloud resources of a component, read from the
 * Kubernetes clusters of `kubernetes.clusterLocatorMethods`, at /api/health.
 *
 * @public
 */
export const healthPlugin = createBackendPlugin({
  pluginId: 'health',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        cache: coreServices.cache,
        catalog: catalogServiceRef,
        azureMonitor: azureMonitorServiceRef,
        lifecycle: coreServices.lifecycle,
      },
      async init({
        httpRouter,
        auditor,
        httpAuth,
        logger,
        config,
        cache,
        catalog,
        azureMonitor,
        lifecycle,
      }) {
        const health = HealthService.fromConfig(config, {
          logger,
          cache,
          // Alerts count once Azure Monitor is set up for the entity; the embedded default has none.
          alerts: azureMonitorAlerts(azureMonitor),
        });
        lifecycle.addShutdownHook(() => health.close());
        httpRouter.use(await createRouter({ httpAuth, auditor, catalog, health }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});

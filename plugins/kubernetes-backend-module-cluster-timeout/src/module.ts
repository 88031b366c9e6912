import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { kubernetesFetcherExtensionPoint } from '@backstage/plugin-kubernetes-node';
import { readClusterTimeoutMs, withClusterTimeout } from './clusterTimeout';

/**
 * A per-cluster timeout for the Kubernetes plugin's reads: a cluster that hangs is reported
 * as an error of that cluster, and the Kubernetes tab shows the others.
 *
 * @public
 */
export const kubernetesModuleClusterTimeout = createBackendModule({
  pluginId: 'kubernetes',
  moduleId: 'cluster-timeout',
  register(env) {
    env.registerInit({
      deps: {
        fetchers: kubernetesFetcherExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ fetchers, config, logger }) {
        // Read here so that a bad value stops the backend at startup, not at the first request.
        const timeoutMs = readClusterTimeoutMs(config);
        logger.info('Kubernetes clusters must answer within a timeout', {
          clusterTimeoutMs: timeoutMs,
        });
        fetchers.addFetcher(async ({ getDefault }) =>
          withClusterTimeout(await getDefault(), { timeoutMs, logger }),
        );
      },
    });
  },
});

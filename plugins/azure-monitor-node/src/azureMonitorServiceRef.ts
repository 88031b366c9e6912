import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { AzureMonitorService } from './AzureMonitorService';

/** What a backend plugin asks Azure Monitor about an entity it has already read. */
export type AzureMonitorReader = Pick<
  AzureMonitorService,
  'getResources' | 'getMetrics' | 'getAlerts'
>;

/**
 * Azure Monitor, read with the backend's Azure identity. Plugin-scoped: each plugin that
 * depends on it (azure-monitor for its cards, health for the alerts in its verdict) has its
 * own cache, and hands it an entity it read from the catalog as its caller.
 */
export const azureMonitorServiceRef = createServiceRef<AzureMonitorReader>({
  id: 'azure-monitor.reader',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        cache: coreServices.cache,
      },
      factory: ({ config, logger, cache }) =>
        AzureMonitorService.fromConfig(config, { logger, cache }),
    }),
});

import {
  coreServices,
  createServiceFactory,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { ConfigSources } from '@backstage/config-loader';
import { findMissingConfig } from './findMissingConfig';

/**
 * Replaces the default root config service: it loads configuration the same
 * way, then checks `preflight.required` before any plugin or database
 * connection starts, so a missing value fails with one clear message.
 */
export function createPreflightRootConfigServiceFactory(options?: {
  load?: () => Promise<RootConfigService>;
}) {
  return createServiceFactory({
    service: coreServices.rootConfig,
    deps: {},
    async factory() {
      const config = options?.load
        ? await options.load()
        : await ConfigSources.toConfig(ConfigSources.default({}));
      const required = (
        config.getOptionalConfigArray('preflight.required') ?? []
      ).map(c => ({ key: c.getString('key'), env: c.getOptionalString('env') }));
      const missing = findMissingConfig(config, required);
      if (missing.length > 0) {
        const message = [
          'Missing required configuration, refusing to start:',
          ...missing.map(m => `  - ${m}`),
          'Set these values (see app-config.production.yaml) and start again.',
        ].join('\n');
        // Printed once here; every plugin would otherwise repeat it wrapped in its own error.
        process.stderr.write(`\n${message}\n\n`);
        throw new Error(message);
      }
      return config;
    },
  });
}

export const preflightRootConfigServiceFactory =
  createPreflightRootConfigServiceFactory();

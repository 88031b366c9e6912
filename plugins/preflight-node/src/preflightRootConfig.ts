import {
  coreServices,
  createServiceFactory,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';
import { checkConnections } from './checkConnections';
import { findMissingConfig } from './findMissingConfig';

/**
 * Replaces the default root config service: it loads configuration the same
 * way, then checks `preflight.required` before any plugin or database
 * connection starts, so a missing value fails with one clear message; then opens one
 * connection to the PostgreSQL database and the Redis cache it names, so that a wrong
 * password or an unreachable server is said once, with what to check, instead of by
 * every plugin (or, for Redis, not at all).
 */
export function createPreflightRootConfigServiceFactory(options?: {
  load?: () => Promise<RootConfigService>;
  checkConnections?: (config: RootConfigService) => Promise<string[]>;
}) {
  return createServiceFactory({
    service: coreServices.rootConfig,
    deps: {},
    async factory() {
      const config = options?.load
        ? await options.load()
        : await ConfigSources.toConfig(ConfigSources.default({}));
      const condition = (c: Config, name: string) => {
        const at = c.getOptionalConfig(name);
        return (
          at && { key: at.getString('key'), equals: at.getString('equals') }
        );
      };
      const required = (
        config.getOptionalConfigArray('preflight.required') ?? []
      ).map(c => {
        const entry = {
          key: c.getOptionalString('key'),
          env: c.getOptionalString('env'),
          when: condition(c, 'when'),
          unless: condition(c, 'unless'),
        };
        if (!entry.key && !entry.env) {
          throw new Error(
            `preflight.required entries need a key or an env, got ${JSON.stringify(
              c.get(),
            )}`,
          );
        }
        return entry;
      });
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
      const unreachable = await (options?.checkConnections ?? checkConnections)(
        config,
      );
      if (unreachable.length > 0) {
        const message = [
          'Cannot connect with the configuration given, refusing to start:',
          ...unreachable.map(m => `  - ${m}`),
        ].join('\n');
        process.stderr.write(`\n${message}\n\n`);
        throw new Error(message);
      }
      return config;
    },
  });
}

export const preflightRootConfigServiceFactory =
  createPreflightRootConfigServiceFactory();

import {
  CacheService,
  CacheServiceOptions,
  CacheServiceSetOptions,
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import type { Config } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import KeyvRedis from '@keyv/redis';
import type { TokenCredential } from '@azure/core-auth';
import Keyv from 'keyv';
import { createHash } from 'node:crypto';
import { EntraRedisConnection, readEntraRedisSettings } from './entraRedis';

function ttlToMilliseconds(ttl: number | HumanDuration): number {
  return typeof ttl === 'number' ? ttl : durationToMilliseconds(ttl);
}

/**
 * A plugin's cache on the shared Entra connection. Keys are made as Backstage's own cache
 * client makes them, so the two read each other's entries.
 */
class EntraCacheClient implements CacheService {
  constructor(
    private readonly keyv: Keyv,
    private readonly keyvFor: (options: CacheServiceOptions) => Keyv,
    private readonly options: CacheServiceOptions,
  ) {}

  async get<TValue>(key: string): Promise<TValue | undefined> {
    return (await this.keyv.get(normalizedKey(key))) as TValue | undefined;
  }

  async set(
    key: string,
    value: unknown,
    opts: CacheServiceSetOptions = {},
  ): Promise<void> {
    const ttl =
      opts.ttl !== undefined ? ttlToMilliseconds(opts.ttl) : undefined;
    await this.keyv.set(normalizedKey(key), value, ttl);
  }

  async delete(key: string): Promise<void> {
    await this.keyv.delete(normalizedKey(key));
  }

  withOptions(options: CacheServiceOptions): CacheService {
    const merged = { ...this.options, ...options };
    return new EntraCacheClient(this.keyvFor(merged), this.keyvFor, merged);
  }
}

function normalizedKey(key: string): string {
  const wellFormed = Buffer.from(key).toString('base64');
  return wellFormed.length < 200
    ? wellFormed
    : createHash('sha256').update(key).digest('base64');
}

/** Caches for plugins on one Redis connection that signs in with Entra ID. */
export class EntraRedisCacheManager {
  private readonly stores = new Map<string, KeyvRedis<unknown>>();

  private constructor(
    private readonly connection: EntraRedisConnection,
    private readonly defaultTtl: number | HumanDuration | undefined,
    private readonly logger: LoggerService,
  ) {
    connection.onReplace(client => {
      for (const store of this.stores.values()) store.client = client;
    });
  }

  static async fromConfig(
    config: Config,
    deps: { logger: LoggerService; credential?: TokenCredential },
  ): Promise<EntraRedisCacheManager> {
    const settings = readEntraRedisSettings(config);
    if (!settings)
      throw new Error('backend.cache.connection is not type azure');
    const connection = await EntraRedisConnection.connect(settings, deps);
    return new EntraRedisCacheManager(
      connection,
      config.getOptional('backend.cache.defaultTtl') as
        | number
        | HumanDuration
        | undefined,
      deps.logger,
    );
  }

  forPlugin(pluginId: string): CacheService {
    const keyvFor = (options: CacheServiceOptions) => {
      const ttl = options.defaultTtl ?? this.defaultTtl;
      return new Keyv({
        namespace: pluginId,
        ttl: ttl !== undefined ? ttlToMilliseconds(ttl) : undefined,
        store: this.storeFor(pluginId),
        emitErrors: false,
        useKeyPrefix: false,
      });
    };
    return new EntraCacheClient(keyvFor({}), keyvFor, {});
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }

  // One store per plugin, as Backstage has: Keyv sets its namespace on the store.
  private storeFor(pluginId: string): KeyvRedis<unknown> {
    let store = this.stores.get(pluginId);
    if (!store) {
      store = new KeyvRedis(this.connection.current, {
        keyPrefixSeparator: ':',
      });
      store.on('error', (error: unknown) =>
        this.logger.error(`Cache for ${pluginId}: ${error}`),
      );
      this.stores.set(pluginId, store);
    }
    return store;
  }
}

/**
 * coreServices.cache: Backstage's own, unless backend.cache.connection has type azure, when
 * every plugin's cache goes through one Redis connection signed in with Entra ID.
 */
export const cacheServiceFactory = createServiceFactory({
  service: coreServices.cache,
  deps: {
    config: coreServices.rootConfig,
    plugin: coreServices.pluginMetadata,
    logger: coreServices.rootLogger,
    lifecycle: coreServices.rootLifecycle,
  },
  async createRootContext({
    config,
    logger,
    lifecycle,
  }): Promise<{ forPlugin(pluginId: string): CacheService }> {
    if (!readEntraRedisSettings(config))
      return CacheManager.fromConfig(config, { logger });
    const manager = await EntraRedisCacheManager.fromConfig(config, { logger });
    lifecycle.addShutdownHook(() => manager.stop());
    return manager;
  },
  async factory({ plugin }, manager) {
    return manager.forPlugin(plugin.getId());
  },
});

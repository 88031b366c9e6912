/**
 * The backend's cache service, with Microsoft Entra authentication to Azure Cache for Redis.
 *
 * @packageDocumentation
 */
export {
  cacheServiceFactory,
  cacheServiceFactory as default,
  EntraRedisCacheManager,
} from './cacheService';
export {
  EntraRedisConnection,
  REDIS_ENTRA_SCOPE,
  connectWithToken,
  entraCredentialFor,
  objectIdOf,
  readEntraRedisSettings,
  redactUrl,
  type EntraRedisSettings,
} from './entraRedis';

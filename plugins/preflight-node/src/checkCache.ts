import { RootConfigService } from '@backstage/backend-plugin-api';
import { createClient, type RedisClientOptions } from '@keyv/redis';
import {
  connectWithToken,
  entraCredentialFor,
  readEntraRedisSettings,
  redactUrl,
  type EntraRedisSettings,
} from '@internal/plugin-cache-node';
import { isEntraTokenError } from './checkDatabase';
import { withTimeout } from './timeout';

/**
 * Backstage's Redis cache does not fail when Redis does not answer: it logs one error and
 * every later write waits for a connection that never comes, so requests hang instead.
 */
export async function checkCache(config: RootConfigService): Promise<string[]> {
  if (config.getOptionalString('backend.cache.store') !== 'redis') return [];
  // A cluster (backend.cache.redis.cluster) is left to Backstage.
  if (config.has('backend.cache.redis.cluster')) return [];
  const entra = readEntraRedisSettings(config);
  if (entra) return checkEntraCache(entra);
  // A URL, or (as Backstage takes it for redis) an object of node-redis options with a url.
  const connection = config.getOptional('backend.cache.connection');
  const options: RedisClientOptions =
    connection && typeof connection === 'object' && !Array.isArray(connection)
      ? connection
      : { url: typeof connection === 'string' ? connection : '' };
  const url = options.url ?? '';
  const client = createClient({
    ...options,
    socket: {
      ...options.socket,
      connectTimeout: 5_000,
      reconnectStrategy: false,
    },
  });
  let failure: unknown;
  client.on('error', error => (failure ??= error));
  try {
    await withTimeout(
      redactUrl(url),
      client.connect().then(() => client.ping()),
    );
    return [];
  } catch (error) {
    const reason = failure ?? error;
    const e = reason as { code?: string; message?: string };
    return [
      `The shared cache (backend.cache.store redis at ${redactUrl(
        url,
      )}) does not answer (${e?.code ? `${e.code}: ` : ''}${
        e?.message ?? String(reason)
      }). Backstage would start and then hang on every cache write, so the portal refuses to: check backend.cache.connection and that Redis accepts connections from here, or remove backend.cache to cache in memory in each process.`,
    ];
  } finally {
    await client.disconnect().catch(() => {});
  }
}

/** Signs in as the cache service will: a token from Entra ID, then AUTH as its object id. */
async function checkEntraCache(
  settings: EntraRedisSettings,
): Promise<string[]> {
  const at = `The shared cache (backend.cache.store redis at ${redactUrl(
    settings.url,
  )}, Entra authentication)`;
  try {
    const { client } = await withTimeout(
      redactUrl(settings.url),
      connectWithToken(settings, entraCredentialFor(settings), {
        connectTimeoutMs: 5_000,
        reconnect: false,
      }),
    );
    await client.quit().catch(() => {});
    return [];
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string };
    const detail = e?.message ?? String(error);
    if (isEntraTokenError(error)) {
      return [
        `${at} got no token from Entra ID (${e.name}: ${detail}): check the workload identity (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE from the ServiceAccount's annotations and the pod label azure.workload.identity/use) and its federated credential.`,
      ];
    }
    if (/WRONGPASS|NOPERM|NOAUTH|invalid username-password/i.test(detail)) {
      return [
        `${at} refused the Entra token (${detail}): the managed identity needs a data access policy assignment on the cache (Data Owner or Data Contributor), with its object id as the user, and the cache needs Microsoft Entra authentication enabled.`,
      ];
    }
    return [
      `${at} does not answer (${
        e?.code ? `${e.code}: ` : ''
      }${detail}). Backstage would start and then hang on every cache write, so the portal refuses to: check backend.cache.connection and that Redis accepts connections from here.`,
    ];
  }
}

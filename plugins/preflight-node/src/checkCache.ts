import { RootConfigService } from '@backstage/backend-plugin-api';
import { createClient, type RedisClientOptions } from '@keyv/redis';
import { withTimeout } from './timeout';

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Backstage's Redis cache does not fail when Redis does not answer: it logs one error and
 * every later write waits for a connection that never comes, so requests hang instead.
 */
export async function checkCache(config: RootConfigService): Promise<string[]> {
  if (config.getOptionalString('backend.cache.store') !== 'redis') return [];
  // A cluster (backend.cache.redis.cluster) is left to Backstage.
  if (config.has('backend.cache.redis.cluster')) return [];
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

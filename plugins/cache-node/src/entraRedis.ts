import type { AccessToken, TokenCredential } from '@azure/core-auth';
import {
  DefaultAzureCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { createClient, type RedisClientType } from '@keyv/redis';

/** The Entra scope of data access to Azure Cache for Redis and Azure Managed Redis. */
export const REDIS_ENTRA_SCOPE = 'https://redis.azure.com/.default';

export type RedisClient = RedisClientType;

/** `backend.cache` when its connection is `type: azure`. */
export type EntraRedisSettings = {
  url: string;
  /** The Redis user; undefined means the token's `oid` claim. */
  user?: string;
  /** The managed identity's client id; undefined means DefaultAzureCredential. */
  clientId?: string;
  /** Milliseconds between PINGs on an idle connection, as node-redis takes it. */
  pingInterval?: number;
};

/** The Entra settings of `backend.cache`, or undefined when the cache does not use Entra. */
export function readEntraRedisSettings(
  config: Config,
): EntraRedisSettings | undefined {
  if (config.getOptionalString('backend.cache.store') !== 'redis')
    return undefined;
  const connection = config.getOptional('backend.cache.connection');
  if (
    !connection ||
    typeof connection !== 'object' ||
    Array.isArray(connection)
  )
    return undefined;
  // getOptional: an unset REDIS_CONNECTION_TYPE may leave an empty string, which getString refuses.
  if (config.getOptional('backend.cache.connection.type') !== 'azure')
    return undefined;
  // An unset variable can leave an empty string, which is no password.
  if (config.getOptional('backend.cache.connection.password')) {
    throw new Error(
      'backend.cache.connection has type azure and a password: with Entra authentication the token is the password; remove backend.cache.connection.password (REDIS_PASSWORD)',
    );
  }
  if (config.has('backend.cache.redis.cluster')) {
    throw new Error(
      'backend.cache.connection type azure does not support backend.cache.redis.cluster',
    );
  }
  return {
    url: config.getString('backend.cache.connection.url'),
    user: config.getOptionalString('backend.cache.connection.user'),
    clientId: config.getOptionalString(
      'backend.cache.connection.tokenCredential.clientId',
    ),
    pingInterval: config.getOptionalNumber(
      'backend.cache.connection.pingInterval',
    ),
  };
}

/**
 * As Backstage's PostgreSQL `type: azure` does: a client id makes it ManagedIdentityCredential,
 * which on AKS exchanges the workload identity webhook's AZURE_FEDERATED_TOKEN_FILE.
 */
export function entraCredentialFor(
  settings: EntraRedisSettings,
): TokenCredential {
  return settings.clientId
    ? new ManagedIdentityCredential({ clientId: settings.clientId })
    : new DefaultAzureCredential();
}

/** The `oid` claim of an Entra access token: the principal's object id. */
export function objectIdOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    return typeof payload.oid === 'string' ? payload.oid : undefined;
  } catch {
    return undefined;
  }
}

async function tokenFor(credential: TokenCredential): Promise<AccessToken> {
  const token = await credential.getToken(REDIS_ENTRA_SCOPE);
  if (!token)
    throw new Error(`Entra ID gave no token for ${REDIS_ENTRA_SCOPE}`);
  return token;
}

/** Opens a client with a fresh token; it fails rather than retrying when Redis refuses. */
export async function connectWithToken(
  settings: EntraRedisSettings,
  credential: TokenCredential,
  options: { connectTimeoutMs?: number; reconnect?: boolean } = {},
): Promise<{ client: RedisClient; token: AccessToken; user: string }> {
  const token = await tokenFor(credential);
  const user = settings.user ?? objectIdOf(token.token);
  if (!user) {
    throw new Error(
      'The Entra token for Redis has no oid claim; set backend.cache.connection.user to the Redis user of the principal',
    );
  }
  const client: RedisClient = createClient({
    url: settings.url,
    username: user,
    password: token.token,
    pingInterval: settings.pingInterval,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      // A dropped connection comes back with this token while it is valid; the renewal
      // replaces the client before it expires.
      reconnectStrategy:
        options.reconnect === false
          ? false
          : retries => Math.min(100 * 2 ** retries, 5_000),
    },
  });
  let failure: unknown;
  const onError = (error: unknown) => {
    failure ??= error;
  };
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(failure ?? new Error('timed out')),
          options.connectTimeoutMs ?? 10_000,
        );
      }),
    ]);
    await client.ping();
  } catch (error) {
    await client.disconnect().catch(() => {});
    throw failure ?? error;
  } finally {
    clearTimeout(timer);
  }
  client.off('error', onError);
  return { client, token, user };
}

/**
 * One Redis client signed in with an Entra token, replaced by a new one before the token
 * expires. Azure Cache for Redis closes a connection whose token has expired unless it sends
 * AUTH again, and node-redis would reconnect with the old token; a new client with a new
 * token avoids both. Who uses the client hears of each replacement through `onReplace`.
 */
export class EntraRedisConnection {
  private readonly listeners = new Set<(client: RedisClient) => void>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  private constructor(
    private client: RedisClient,
    private readonly settings: EntraRedisSettings,
    private readonly credential: TokenCredential,
    private readonly logger: LoggerService,
  ) {}

  static async connect(
    settings: EntraRedisSettings,
    deps: { credential?: TokenCredential; logger: LoggerService },
  ): Promise<EntraRedisConnection> {
    const credential = deps.credential ?? entraCredentialFor(settings);
    const { client, token, user } = await connectWithToken(
      settings,
      credential,
    );
    const connection = new EntraRedisConnection(
      client,
      settings,
      credential,
      deps.logger,
    );
    connection.watch(client);
    deps.logger.info(
      `Signed in to Redis at ${redactUrl(
        settings.url,
      )} as ${user} with an Entra token`,
    );
    connection.schedule(token);
    return connection;
  }

  get current(): RedisClient {
    return this.client;
  }

  onReplace(listener: (client: RedisClient) => void) {
    this.listeners.add(listener);
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client.quit().catch(() => {});
  }

  /** Renews now: a new token, a new client, then the old client closes after its replies. */
  async renew(): Promise<void> {
    const { client, token } = await connectWithToken(
      this.settings,
      this.credential,
    );
    if (this.stopped) {
      await client.quit().catch(() => {});
      return;
    }
    const old = this.client;
    this.client = client;
    this.watch(client);
    for (const listener of this.listeners) listener(client);
    await old.quit().catch(() => {});
    this.schedule(token);
  }

  private watch(client: RedisClient) {
    client.on('error', error =>
      this.logger.warn(`Redis at ${redactUrl(this.settings.url)}: ${error}`),
    );
  }

  private schedule(token: AccessToken, delay?: number) {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const left = token.expiresOnTimestamp - Date.now();
    // Five minutes before expiry, or at half of a short lifetime.
    const wait = delay ?? (left > 10 * 60_000 ? left - 5 * 60_000 : left / 2);
    this.timer = setTimeout(async () => {
      try {
        await this.renew();
      } catch (error) {
        const retryIn = Math.min(
          30_000,
          Math.max(1_000, (token.expiresOnTimestamp - Date.now()) / 4),
        );
        this.logger.warn(
          `Could not renew the Entra token for Redis at ${redactUrl(
            this.settings.url,
          )} (${error}); trying again in ${Math.round(retryIn / 1000)} s`,
        );
        this.schedule(token, retryIn);
      }
    }, Math.max(1_000, wait));
    this.timer.unref();
  }
}

/** A Redis URL with any credentials in it hidden, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

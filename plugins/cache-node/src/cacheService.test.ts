import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { acceptsConnections } from '@internal/test-fakes';
import {
  FakeWorkloadIdentity,
  SERVICE_ACCOUNT_TOKEN,
} from '@internal/test-fakes/azure';
import { createClient } from '@keyv/redis';
import { EntraRedisCacheManager } from './cacheService';
import { EntraRedisConnection, readEntraRedisSettings } from './entraRedis';

// Real Redis and a token endpoint over TLS, on 2 busy cores.
jest.setTimeout(30_000);

const REDIS = { host: '127.0.0.1', port: 6379 };
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '5b2c0f34-8f6e-4c8a-9a51-3d7d2c1e9f10';
// The managed identity's object id: Azure Cache for Redis names its Redis user after it.
const OBJECT_ID = '0e9d3c71-4a52-4f8e-b1a6-7d0c5e2f4b93';

const entraCache = (extra: Record<string, unknown> = {}) =>
  new ConfigReader({
    backend: {
      cache: {
        store: 'redis',
        connection: {
          type: 'azure',
          url: `redis://${REDIS.host}:${REDIS.port}`,
          tokenCredential: { clientId: CLIENT_ID },
          ...extra,
        },
      },
    },
  });

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

describe('readEntraRedisSettings', () => {
  it('reads the Entra connection, and only for type azure', () => {
    expect(readEntraRedisSettings(entraCache({ pingInterval: 60000 }))).toEqual(
      {
        url: 'redis://127.0.0.1:6379',
        clientId: CLIENT_ID,
        user: undefined,
        pingInterval: 60000,
      },
    );
    const plain = new ConfigReader({
      backend: {
        cache: { store: 'redis', connection: 'redis://127.0.0.1:6379' },
      },
    });
    expect(readEntraRedisSettings(plain)).toBeUndefined();
    const password = new ConfigReader({
      backend: {
        cache: {
          store: 'redis',
          connection: { url: 'rediss://x:6380', password: 'key' },
        },
      },
    });
    expect(readEntraRedisSettings(password)).toBeUndefined();
  });

  it('takes the empty strings unset variables leave as unset', () => {
    const unset = new ConfigReader({
      backend: {
        cache: {
          store: 'redis',
          connection: { type: '', url: 'rediss://x:6380', password: 'key' },
        },
      },
    });
    expect(readEntraRedisSettings(unset)).toBeUndefined();
    expect(readEntraRedisSettings(entraCache({ password: '' }))?.url).toBe(
      'redis://127.0.0.1:6379',
    );
  });

  it('refuses a password next to type azure, since the token is the password', () => {
    expect(() =>
      readEntraRedisSettings(entraCache({ password: 'access-key' })),
    ).toThrow(
      /type azure and a password.*remove backend.cache.connection.password/,
    );
  });
});

describe('Entra authentication to Redis (backend.cache.connection.type azure)', () => {
  let redisUp = false;
  let admin: ReturnType<typeof createClient>;
  const saved = { ...process.env };
  const fakes: FakeWorkloadIdentity[] = [];
  let untrust = () => {};

  /** Entra ID's token endpoint for the pod's workload identity, as the webhook sets it up. */
  async function workloadIdentity(expiresIn: number) {
    const entra = await FakeWorkloadIdentity.start({
      tenantId: TENANT_ID,
      clientId: CLIENT_ID,
      assertion: SERVICE_ACCOUNT_TOKEN,
      resources: ['https://redis.azure.com'],
      objectId: OBJECT_ID,
      expiresIn,
    });
    fakes.push(entra);
    untrust = entra.trustInThisProcess();
    Object.assign(process.env, entra.podEnvironment());
    return entra;
  }

  /** Lets the Redis user of the principal sign in with exactly `token`, or with anything. */
  const allow = (token?: string) =>
    admin.sendCommand([
      'ACL',
      'SETUSER',
      OBJECT_ID,
      'on',
      'resetpass',
      token ? `>${token}` : 'nopass',
      '~*',
      '&*',
      '+@all',
    ]);
  const connectionsOf = async (user: string) =>
    String(await admin.sendCommand(['CLIENT', 'LIST']))
      .split('\n')
      .filter(line => line.includes(` user=${user} `)).length;

  beforeAll(async () => {
    redisUp = await acceptsConnections(REDIS);
    if (!redisUp) return;
    admin = createClient({ url: `redis://${REDIS.host}:${REDIS.port}` });
    await admin.connect();
    await allow();
  });
  afterEach(async () => {
    process.env = { ...saved };
    untrust();
    await Promise.all(fakes.splice(0).map(f => f.close()));
  });
  afterAll(async () => {
    if (!redisUp) return;
    await admin.sendCommand(['ACL', 'DELUSER', OBJECT_ID]);
    await admin.quit();
  });

  it("signs in as the token's oid with the token as the password, and shares Backstage's keys", async () => {
    if (!redisUp) return;
    const entra = await workloadIdentity(3599);
    const manager = await EntraRedisCacheManager.fromConfig(entraCache(), {
      logger: mockServices.logger.mock(),
    });
    try {
      const cache = manager.forPlugin('health');
      await cache.set('payments-api', { status: 'Healthy' }, { ttl: 60_000 });
      expect(await cache.get('payments-api')).toEqual({ status: 'Healthy' });
      expect(entra.grants.map(g => g.scope)).toEqual([
        'https://redis.azure.com/.default',
      ]);
      expect(await connectionsOf(OBJECT_ID)).toBe(1);

      // Backstage's own cache client on the same Redis reads what this one wrote.
      const upstream = CacheManager.fromConfig(
        new ConfigReader({
          backend: {
            cache: {
              store: 'redis',
              connection: `redis://${REDIS.host}:${REDIS.port}`,
            },
          },
        }),
      ).forPlugin('health');
      expect(await upstream.get('payments-api')).toEqual({ status: 'Healthy' });

      // Only the issued token opens the door now; a dropped connection comes back with it.
      await allow(entra.issued[0]);
      expect(
        await admin.sendCommand(['CLIENT', 'KILL', 'USER', OBJECT_ID]),
      ).toBe(1);
      await waitFor(
        'the cache after its reconnect',
        async () =>
          (
            await cache
              .get<{ status: string }>('payments-api')
              .catch(() => undefined)
          )?.status === 'Healthy',
      );
      await cache.delete('payments-api');
      expect(await cache.get('payments-api')).toBeUndefined();
    } finally {
      await allow();
      await manager.stop();
    }
  });

  it('replaces its client with one on a new token before the old token expires, and closes the old one', async () => {
    if (!redisUp) return;
    // Tokens of 6 s: the renewal comes at half of that.
    const entra = await workloadIdentity(6);
    const connection = await EntraRedisConnection.connect(
      readEntraRedisSettings(entraCache())!,
      {
        logger: mockServices.logger.mock(),
      },
    );
    try {
      const first = connection.current;
      const replaced: unknown[] = [];
      connection.onReplace(client => replaced.push(client));
      await waitFor('a renewal', async () => replaced.length >= 1);
      expect(entra.grants.length).toBeGreaterThanOrEqual(2);
      expect(connection.current).not.toBe(first);
      expect(first.isOpen).toBe(false);
      expect(await connectionsOf(OBJECT_ID)).toBe(1);

      // The new client holds the newest token: with only that one allowed, it still gets in.
      const newest = entra.issued.at(-1)!;
      await allow(newest);
      expect(
        await admin.sendCommand(['CLIENT', 'KILL', 'USER', OBJECT_ID]),
      ).toBe(1);
      await waitFor(
        'a reconnect with the new token',
        async () =>
          (await connection.current.ping().catch(() => undefined)) === 'PONG' &&
          entra.issued.at(-1) === newest,
      );
    } finally {
      await allow();
      await connection.stop();
    }
  });

  it('fails at startup with what Entra ID said when the workload identity is not trusted', async () => {
    if (!redisUp) return;
    await workloadIdentity(3599);
    process.env.AZURE_CLIENT_ID = '00000000-0000-0000-0000-000000000000';
    await expect(
      EntraRedisCacheManager.fromConfig(
        entraCache({
          tokenCredential: { clientId: '00000000-0000-0000-0000-000000000000' },
        }),
        { logger: mockServices.logger.mock() },
      ),
    ).rejects.toThrow(/AADSTS/);
  });
});

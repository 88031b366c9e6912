import fs from 'node:fs';
import net from 'node:net';
import { ConfigReader } from '@backstage/config';
import { createClient } from '@keyv/redis';
import { acceptsConnections, startPostgresFront } from '@internal/test-fakes';
import {
  FakeWorkloadIdentity,
  SERVICE_ACCOUNT_TOKEN,
} from '@internal/test-fakes/azure';
import { checkConnections } from './checkConnections';

const POSTGRES = { host: '127.0.0.1', port: 5432 };
const REDIS = { host: '127.0.0.1', port: 6379 };
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '5b2c0f34-8f6e-4c8a-9a51-3d7d2c1e9f10';
const OSSRDBMS = 'https://ossrdbms-aad.database.windows.net';
const OBJECT_ID = '3f1a9c2e-6b7d-4e0f-8a51-2c9d7e4b1f60';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

const database = (connection: {
  [key: string]: string | number | { clientId: string };
}) => new ConfigReader({ backend: { database: { client: 'pg', connection } } });

describe('checkConnections', () => {
  let postgresUp = false;
  let redisUp = false;
  beforeAll(async () => {
    postgresUp = await acceptsConnections(POSTGRES);
    redisUp = await acceptsConnections(REDIS);
  });

  describe('Entra authentication to PostgreSQL (connection.type azure)', () => {
    let entra: FakeWorkloadIdentity;
    let tokenFile: string;
    let untrust: () => void;
    const saved = { ...process.env };
    const federatedToken = SERVICE_ACCOUNT_TOKEN;

    beforeAll(async () => {
      entra = await FakeWorkloadIdentity.start({
        tenantId: TENANT_ID,
        clientId: CLIENT_ID,
        assertion: federatedToken,
        resources: [OSSRDBMS, 'https://redis.azure.com'],
        objectId: OBJECT_ID,
      });
      untrust = entra.trustInThisProcess();
      // What the workload identity webhook injects into the pod.
      const pod = entra.podEnvironment();
      tokenFile = pod.AZURE_FEDERATED_TOKEN_FILE;
      Object.assign(process.env, pod);
    });
    afterAll(async () => {
      process.env = saved;
      untrust();
      await entra.close();
    });

    it('signs in with the token Entra ID issued for the workload identity, as the password', async () => {
      if (!postgresUp) return;
      const front = await startPostgresFront({
        upstream: POSTGRES,
        accept: password => entra.issued.includes(password),
      });
      try {
        const problems = await checkConnections(
          database({
            type: 'azure',
            host: '127.0.0.1',
            port: front.port,
            user: 'postgres',
            tokenCredential: { clientId: CLIENT_ID },
          }),
        );
        expect(problems).toEqual([]);
        expect(entra.grants).toEqual([
          expect.objectContaining({
            clientId: CLIENT_ID,
            scope: `${OSSRDBMS}/.default`,
            assertion: federatedToken,
          }),
        ]);
        expect(front.signIns).toEqual([
          { user: 'postgres', password: entra.issued[0], accepted: true },
        ]);
      } finally {
        await front.close();
      }
    });

    const entraCache = () =>
      new ConfigReader({
        backend: {
          cache: {
            store: 'redis',
            connection: {
              type: 'azure',
              url: `redis://${REDIS.host}:${REDIS.port}`,
              tokenCredential: { clientId: CLIENT_ID },
            },
          },
        },
      });

    it("signs in to Redis as the token's object id with the token, and says when Redis refuses it", async () => {
      if (!redisUp) return;
      const admin = createClient({
        url: `redis://${REDIS.host}:${REDIS.port}`,
      });
      await admin.connect();
      const user = (password: string) =>
        admin.sendCommand([
          'ACL',
          'SETUSER',
          OBJECT_ID,
          'on',
          'resetpass',
          password,
          '~*',
          '&*',
          '+@all',
        ]);
      try {
        await user('nopass');
        entra.grants.length = 0;
        expect(await checkConnections(entraCache())).toEqual([]);
        expect(entra.grants).toEqual([
          expect.objectContaining({
            clientId: CLIENT_ID,
            scope: 'https://redis.azure.com/.default',
          }),
        ]);
        // The cache without a data access policy for the identity: Redis refuses its token.
        await user('>not-the-token');
        const problems = await checkConnections(entraCache());
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(
          /^The shared cache .* refused the Entra token \(WRONGPASS/,
        );
        expect(problems[0]).toContain('data access policy assignment');
        expect(problems[0]).not.toContain(entra.issued.at(-1)!);
      } finally {
        await admin.sendCommand(['ACL', 'DELUSER', OBJECT_ID]);
        await admin.quit();
      }
    });

    it('names the workload identity when Entra ID refuses it a token for Redis', async () => {
      fs.writeFileSync(tokenFile, 'a-token-of-another-service-account');
      try {
        const problems = await checkConnections(entraCache());
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/got no token from Entra ID/);
        expect(problems[0]).toContain('AADSTS70021');
      } finally {
        fs.writeFileSync(tokenFile, federatedToken);
      }
    });

    it('names the workload identity when Entra ID refuses the federated token', async () => {
      fs.writeFileSync(tokenFile, 'a-token-of-another-service-account');
      try {
        const problems = await checkConnections(
          database({
            type: 'azure',
            host: '127.0.0.1',
            port: await closedPort(),
            user: 'postgres',
            tokenCredential: { clientId: CLIENT_ID },
          }),
        );
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(
          /^No Entra token for PostgreSQL at 127\.0\.0\.1:\d+/,
        );
        expect(problems[0]).toContain('AADSTS70021');
        expect(problems[0]).toContain('AZURE_FEDERATED_TOKEN_FILE');
      } finally {
        fs.writeFileSync(tokenFile, federatedToken);
      }
    });
  });

  /** The check, signing in as `user` through a front that takes only "the-right-one". */
  async function throughFront(user: string, password: string) {
    const front = await startPostgresFront({
      upstream: POSTGRES,
      accept: given => given === 'the-right-one',
    });
    try {
      const problems = await checkConnections(
        database({ host: '127.0.0.1', port: front.port, user, password }),
      );
      return { problems, port: front.port, signIns: front.signIns };
    } finally {
      await front.close();
    }
  }

  it('says which password PostgreSQL refused, with the answer the server gave', async () => {
    const { problems, port, signIns } = await throughFront(
      'portal',
      'a-stale-one',
    );
    expect(signIns).toEqual([
      { user: 'portal', password: 'a-stale-one', accepted: false },
    ]);
    expect(problems).toEqual([
      `PostgreSQL at 127.0.0.1:${port} refused the password for user "portal" (28P01: password authentication failed for user "portal"): check POSTGRES_USER ("portal") and POSTGRES_PASSWORD (on AKS, the Secret Crossplane writes for the Database).`,
    ]);
  });

  it('accepts the right password, forwarded to the real server', async () => {
    if (!postgresUp) return;
    const { problems, signIns } = await throughFront(
      'postgres',
      'the-right-one',
    );
    expect(problems).toEqual([]);
    expect(signIns.map(s => s.accepted)).toEqual([true]);
  });

  it('says a PostgreSQL server that does not answer cannot be reached', async () => {
    const port = await closedPort();
    const problems = await checkConnections(
      database({ host: '127.0.0.1', port, user: 'portal', password: 'x' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^PostgreSQL at 127\\.0\\.0\\.1:${port} cannot be reached \\(ECONNREFUSED: .*check POSTGRES_HOST and POSTGRES_PORT`,
        ),
      ),
    ]);
  });

  it('refuses a Redis cache that does not answer, and hides its password', async () => {
    const port = await closedPort();
    const problems = await checkConnections(
      new ConfigReader({
        backend: {
          cache: {
            store: 'redis',
            connection: `redis://:hunter2@127.0.0.1:${port}`,
          },
        },
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(
      `The shared cache (backend.cache.store redis at redis://***@127.0.0.1:${port}) does not answer (ECONNREFUSED`,
    );
    expect(problems[0]).toContain('remove backend.cache to cache in memory');
    expect(problems[0]).not.toContain('hunter2');
  });

  it('accepts a Redis cache that answers', async () => {
    if (!redisUp) return;
    expect(
      await checkConnections(
        new ConfigReader({
          backend: {
            cache: {
              store: 'redis',
              connection: `redis://${REDIS.host}:${REDIS.port}`,
            },
          },
        }),
      ),
    ).toEqual([]);
  });

  // The form app-config.production.yaml uses: an Azure access key may hold "/", so the
  // password is an option of its own rather than part of the URL.
  const objectForm = (url: string, password?: string) =>
    new ConfigReader({
      backend: {
        cache: {
          store: 'redis',
          connection: { url, password, pingInterval: 60000 },
        },
      },
    });

  it('refuses a Redis cache given as an object that does not answer, without its password', async () => {
    const port = await closedPort();
    const problems = await checkConnections(
      objectForm(`redis://127.0.0.1:${port}`, 'ab/cd+ef='),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(
      `The shared cache (backend.cache.store redis at redis://127.0.0.1:${port}) does not answer (ECONNREFUSED`,
    );
    expect(problems[0]).not.toContain('ab/cd');
  });

  it('connects to a Redis cache given as an object, and signs in with its password', async () => {
    if (!redisUp) return;
    expect(
      await checkConnections(objectForm(`redis://${REDIS.host}:${REDIS.port}`)),
    ).toEqual([]);
    // The local Redis has no password: that it refuses this one shows the password was sent.
    const refused = await checkConnections(
      objectForm(`redis://${REDIS.host}:${REDIS.port}`, 'ab/cd+ef='),
    );
    expect(refused).toEqual([expect.stringContaining('does not answer')]);
    expect(refused[0]).toMatch(/AUTH|password/);
    expect(refused[0]).not.toContain('ab/cd');
  });

  it('checks nothing for the embedded defaults (SQLite, memory cache)', async () => {
    expect(
      await checkConnections(
        new ConfigReader({
          backend: {
            database: { client: 'better-sqlite3', connection: ':memory:' },
          },
        }),
      ),
    ).toEqual([]);
  });
});

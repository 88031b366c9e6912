import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { findMissingConfig } from './findMissingConfig';
import { createPreflightRootConfigServiceFactory } from './preflightRootConfig';

describe('findMissingConfig', () => {
  const required = [
    { key: 'backend.database.connection.host', env: 'POSTGRES_HOST' },
    { key: 'backend.auth.keys' },
    { key: 'app.baseUrl', env: 'PORTAL_BASE_URL' },
  ];

  it('names each absent or blank key with its environment variable', () => {
    const config = new ConfigReader({
      app: { baseUrl: '  ' },
      backend: { auth: { keys: [{}] } },
    });
    expect(findMissingConfig(config, required)).toEqual([
      'backend.database.connection.host (set POSTGRES_HOST)',
      'backend.auth.keys',
      'app.baseUrl (set PORTAL_BASE_URL)',
    ]);
  });

  it('reads the top layer where layers disagree in shape', () => {
    const config = ConfigReader.fromConfigs([
      {
        context: 'app-config.yaml',
        data: { backend: { database: { connection: ':memory:' } } },
      },
      {
        context: 'app-config.production.yaml',
        data: { backend: { database: { connection: { host: 'db' } } } },
      },
    ]);
    expect(
      findMissingConfig(config, [{ key: 'backend.database.connection.host' }]),
    ).toEqual([]);
  });

  it('accepts a complete configuration', () => {
    const config = new ConfigReader({
      app: { baseUrl: 'https://portal.contoso.example' },
      backend: {
        auth: { keys: [{ secret: 'x' }] },
        database: { connection: { host: 'db' } },
      },
    });
    expect(findMissingConfig(config, required)).toEqual([]);
  });
});

describe('findMissingConfig with a mode', () => {
  const azure = { key: 'backend.database.connection.type', equals: 'azure' };
  const required = [
    { key: 'backend.database.connection.host', env: 'POSTGRES_HOST' },
    {
      key: 'backend.database.connection.password',
      env: 'POSTGRES_PASSWORD',
      unless: azure,
    },
    {
      key: 'backend.database.connection.tokenCredential.clientId',
      env: 'AZURE_CLIENT_ID',
      when: azure,
    },
    { env: 'AZURE_FEDERATED_TOKEN_FILE', when: azure },
  ];

  it('asks for the password when the connection type is not azure', () => {
    const config = new ConfigReader({
      backend: { database: { connection: { host: 'db' } } },
    });
    expect(findMissingConfig(config, required, {})).toEqual([
      'backend.database.connection.password (set POSTGRES_PASSWORD; needed unless backend.database.connection.type is azure)',
    ]);
  });

  it('asks for the workload identity, not a password, with Entra authentication', () => {
    const config = new ConfigReader({
      backend: { database: { connection: { type: 'azure', host: 'db' } } },
    });
    expect(findMissingConfig(config, required, {})).toEqual([
      'backend.database.connection.tokenCredential.clientId (set AZURE_CLIENT_ID; needed because backend.database.connection.type is azure)',
      'AZURE_FEDERATED_TOKEN_FILE (an environment variable; needed because backend.database.connection.type is azure)',
    ]);
    const complete = new ConfigReader({
      backend: {
        database: {
          connection: {
            type: 'azure',
            host: 'db',
            tokenCredential: { clientId: 'c' },
          },
        },
      },
    });
    expect(
      findMissingConfig(complete, required, {
        AZURE_FEDERATED_TOKEN_FILE:
          '/var/run/secrets/azure/tokens/azure-identity-token',
      }),
    ).toEqual([]);
  });
});

describe('preflight root config', () => {
  const probe = createBackendPlugin({
    pluginId: 'probe',
    register(env) {
      env.registerInit({
        deps: { config: coreServices.rootConfig },
        async init() {},
      });
    },
  });

  it('refuses to start and lists only the missing keys', async () => {
    const stderr = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation(() => true);
    const factory = createPreflightRootConfigServiceFactory({
      load: async () =>
        new ConfigReader({
          preflight: {
            required: [
              { key: 'backend.auth.keys', env: 'BACKEND_SECRET' },
              { key: 'app.baseUrl' },
            ],
          },
          app: { baseUrl: 'https://portal.contoso.example' },
        }),
    });
    await expect(
      startTestBackend({ features: [probe, factory] }),
    ).rejects.toThrow(/backend\.auth\.keys \(set BACKEND_SECRET\)/);
    const printed = stderr.mock.calls.join('');
    stderr.mockRestore();
    expect(printed).toContain('refusing to start');
    expect(printed).not.toContain('app.baseUrl');
  });

  it('starts when every required key is present', async () => {
    const factory = createPreflightRootConfigServiceFactory({
      load: async () =>
        new ConfigReader({
          preflight: { required: [{ key: 'app.baseUrl' }] },
          app: { baseUrl: 'http://localhost:3000' },
        }),
    });
    const backend = await startTestBackend({ features: [probe, factory] });
    expect(backend.server.port()).toBeGreaterThan(0);
    await backend.stop();
  });
});

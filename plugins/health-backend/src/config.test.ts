import { mockServices } from '@backstage/backend-test-utils';
import {
  DEFAULT_POD_LIST_WORKERS,
  defaultEnvironment,
  readHealthConfig,
} from './config';

const kubernetes = {
  clusterLocatorMethods: [
    { type: 'catalog' },
    {
      type: 'config',
      clusters: [
        {
          name: 'aks-westeu-01',
          url: 'https://aks-westeu-01.hcp.westeurope.azmk8s.io:443',
          authProvider: 'aks',
          caData: 'LS0tLS1CRUdJTi...',
        },
        {
          name: 'aks-prod',
          url: 'https://aks-prod.hcp.westeurope.azmk8s.io:443',
          authProvider: 'azure',
        },
        {
          name: 'kind',
          url: 'https://127.0.0.1:6443',
          serviceAccountToken: 'token',
          skipTLSVerify: true,
        },
      ],
    },
  ],
};

describe('readHealthConfig', () => {
  it('reads the clusters of the Kubernetes plugin and the health extension', () => {
    const config = readHealthConfig(
      mockServices.rootConfig({
        data: {
          kubernetes,
          health: {
            clusters: {
              'aks-westeu-01': {
                environment: 'staging',
                argocdUrl: 'https://argocd.staging.contoso.com/',
              },
            },
            timeouts: { clusterMs: 2500 },
            cacheTtlMs: 5000,
            podListWorkers: 0,
            podWatch: false,
            gitops: { commitUrlTemplate: 'https://example.com/{revision}' },
          },
        },
      }),
    );

    expect(config).toEqual({
      clusters: [
        {
          name: 'aks-westeu-01',
          url: 'https://aks-westeu-01.hcp.westeurope.azmk8s.io:443',
          authProvider: 'aks',
          caData: 'LS0tLS1CRUdJTi...',
          skipTLSVerify: false,
          environment: 'staging',
          argocdUrl: 'https://argocd.staging.contoso.com',
        },
        {
          name: 'aks-prod',
          url: 'https://aks-prod.hcp.westeurope.azmk8s.io:443',
          authProvider: 'azure',
          skipTLSVerify: false,
          environment: 'prod',
        },
        {
          name: 'kind',
          url: 'https://127.0.0.1:6443',
          authProvider: 'serviceAccount',
          serviceAccountToken: 'token',
          skipTLSVerify: true,
          environment: 'kind',
        },
      ],
      clusterTimeoutMs: 2500,
      cacheTtlMs: 5000,
      staleTtlMs: 600_000,
      environments: ['dev', 'staging', 'prod'],
      podListWorkers: 0,
      podWatch: false,
      commitUrlTemplate: 'https://example.com/{revision}',
    });
  });

  it('takes environment order and each cluster\'s environment from gitops.environments, the list the golden paths deploy', () => {
    const config = readHealthConfig(
      mockServices.rootConfig({
        data: {
          gitops: {
            environments: [
              { name: 'test', cluster: 'aks-weu-1' },
              { name: 'live', cluster: 'aks-weu-2' },
            ],
          },
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  { name: 'aks-weu-2', url: 'https://two.example.com' },
                  { name: 'aks-weu-1', url: 'https://one.example.com' },
                  { name: 'aks-sandbox', url: 'https://three.example.com' },
                ],
              },
            ],
          },
        },
      }),
    );
    expect(config.environments).toEqual(['test', 'live']);
    expect(config.clusters.map(c => [c.name, c.environment])).toEqual([
      ['aks-weu-2', 'live'],
      ['aks-weu-1', 'test'],
      ['aks-sandbox', 'sandbox'],
    ]);
  });

  it('has defaults for everything but the clusters', () => {
    const config = readHealthConfig(mockServices.rootConfig({ data: {} }));
    expect(config).toEqual({
      clusters: [],
      clusterTimeoutMs: 5000,
      cacheTtlMs: 15000,
      staleTtlMs: 600_000,
      environments: ['dev', 'staging', 'prod'],
      podListWorkers: DEFAULT_POD_LIST_WORKERS,
      podWatch: true,
    });
    expect(DEFAULT_POD_LIST_WORKERS).toBeGreaterThanOrEqual(1);
    expect(DEFAULT_POD_LIST_WORKERS).toBeLessThanOrEqual(4);
  });

  it('fails on invalid configuration', () => {
    expect(() =>
      readHealthConfig(
        mockServices.rootConfig({
          data: {
            health: { clusters: { 'aks-dev': { argocdUrl: 'not a url' } } },
          },
        }),
      ),
    ).toThrow(/health.clusters configuration at aks-dev.argocdUrl/);
    expect(() =>
      readHealthConfig(
        mockServices.rootConfig({
          data: { health: { timeouts: { clusterMs: 0 } } },
        }),
      ),
    ).toThrow('health.timeouts.clusterMs must be a positive number');
    expect(() =>
      readHealthConfig(
        mockServices.rootConfig({ data: { health: { podListWorkers: 1.5 } } }),
      ),
    ).toThrow('health.podListWorkers must be a whole number from 0 to 16');
    expect(() =>
      readHealthConfig(
        mockServices.rootConfig({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                { type: 'config', clusters: [{ name: 'a', url: 'https://a' }] },
                { type: 'config', clusters: [{ name: 'a', url: 'https://b' }] },
              ],
            },
          },
        }),
      ),
    ).toThrow('Kubernetes cluster a is configured twice');
  });

  it.each([
    ['aks-prod', 'prod'],
    ['aks-westeu-staging', 'staging'],
    ['dev', 'dev'],
    ['trailing-', 'trailing-'],
  ])('takes the environment of %s to be %s', (name, environment) => {
    expect(defaultEnvironment(name)).toBe(environment);
  });
});

import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { entities, FakeAzure, fakeAzureIdentity, fakeAzureOptions, PROD_SUB } from '@internal/test-fakes/azure';
import { FakeKubernetes, healthyDev, paymentsApi } from '@internal/test-fakes/kubernetes';
import { healthPlugin } from './plugin';
import { VerdictResponse } from '@internal/plugin-health-common';

// payments-api as golden paths register it: its pods by kubernetes-id, its Azure resources by tag.
const annotated: Entity = {
  ...paymentsApi,
  metadata: {
    ...paymentsApi.metadata,
    annotations: { ...paymentsApi.metadata.annotations, ...entities.byTag.metadata.annotations },
  },
};
const malformed: Entity = {
  ...paymentsApi,
  metadata: {
    ...paymentsApi.metadata,
    name: 'broken-annotation',
    annotations: { ...paymentsApi.metadata.annotations, ...entities.badAnnotation.metadata.annotations },
  },
};

const clusters = (url: string) => ({
  clusterLocatorMethods: [
    {
      type: 'config',
      clusters: [
        { name: 'aks-dev', url, authProvider: 'serviceAccount', serviceAccountToken: 'dev-token', skipTLSVerify: true },
      ],
    },
  ],
});

async function startHealth(data: object, entityList: Entity[]) {
  const catalog = catalogServiceMock.mock();
  catalog.getEntityByRef.mockImplementation(async ref =>
    entityList.find(e => `component:default/${e.metadata.name}` === ref),
  );
  const backend = await startTestBackend({
    features: [healthPlugin, catalog.factory, mockServices.rootConfig.factory({ data })],
  });
  const base = `http://127.0.0.1:${backend.server.port()}/api/health/v1/entities/component/default`;
  const verdict = async (name = 'payments-api'): Promise<VerdictResponse> =>
    (await fetch(`${base}/${name}/verdict`, { headers: { Authorization: mockCredentials.user.header() } })).json();
  return { verdict, catalog, stop: () => backend.stop() };
}

describe('firing Azure Monitor alerts in the verdict, read from Azure with the real SDK', () => {
  let dev: FakeKubernetes;
  let azure: FakeAzure;
  let health: Awaited<ReturnType<typeof startHealth>>;

  beforeAll(async () => {
    dev = await FakeKubernetes.start(healthyDev('dev-token'));
    azure = await FakeAzure.start(fakeAzureOptions());
    health = await startHealth(
      {
        kubernetes: clusters(dev.url),
        health: { cacheTtlMs: 1, staleTtlMs: 1 },
        // The one Azure identity, shared by health and Azure Monitor.
        azure: fakeAzureIdentity(azure),
        azureMonitor: { subscriptionIds: [PROD_SUB], armEndpoint: azure.url, cacheTtlMs: 1 },
      },
      [annotated, malformed],
    );
  });
  afterAll(async () => {
    await health?.stop();
    await dev?.close();
    azure?.close();
  });

  it('turns the firing alerts of its tagged resources into the verdict, and asks the catalog once', async () => {
    health.catalog.getEntityByRef.mockClear();
    const body = await health.verdict();
    // The tag finds the site and its database; the database's Sev0 makes the component Down.
    expect(body.verdict.state).toBe('Down');
    const messages = body.verdict.reasons.filter(r => r.source === 'Azure Monitor').map(r => r.message);
    expect(messages).toEqual([
      'Sev0 (critical) alert "payments-db CPU above 90%" fired on payments-db (New)',
      'Sev1 (error) alert "payments-api 5xx" fired on payments-api (New)',
      'Sev3 (informational) alert "payments-api slow responses" fired on payments-api (Acknowledged)',
    ]);
    // The router read the entity as the caller; Azure Monitor was handed that entity.
    expect(health.catalog.getEntityByRef).toHaveBeenCalledTimes(1);
    expect(azure.tokensIssued).toBeGreaterThan(0);
  });

  it('names Azure Monitor as a failed source when it is throttled, and keeps the rest', async () => {
    azure.throttle = true;
    try {
      const body = await health.verdict();
      const failure = body.failures.find(f => f.source === 'Azure Monitor alerts');
      expect(failure?.message).toMatch(/throttl/i);
      // The last good alerts still count; the answer says it is partial.
      expect(body.verdict.state).toBe('Down');
      expect(body.verdict.partial).toBe(true);
    } finally {
      azure.throttle = false;
    }
  });

  it('says what to fix when an Azure annotation cannot be read', async () => {
    const body = await health.verdict('broken-annotation');
    expect(body.failures).toContainEqual({
      source: 'Azure Monitor alerts',
      message: expect.stringContaining('<subscriptionId>/<resourceGroup>'),
    });
  });
});

describe('without Azure Monitor', () => {
  it('adds nothing to the verdict and asks no one', async () => {
    const dev = await FakeKubernetes.start(healthyDev('dev-token'));
    const health = await startHealth({ kubernetes: clusters(dev.url) }, [annotated]);
    try {
      const body = await health.verdict();
      expect(body.failures).toEqual([]);
      expect(body.verdict.state).toBe('Healthy');
      expect(JSON.stringify(body)).not.toContain('Azure Monitor');
    } finally {
      await health.stop();
      await dev.close();
    }
  });
});

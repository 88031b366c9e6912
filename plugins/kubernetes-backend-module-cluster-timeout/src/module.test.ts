import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
// The fake API server and scenario the health plugin and the e2e tests serve the Kubernetes tab from.
import {
  FakeKubernetes,
  healthyDev,
  paymentsApi,
} from '@internal/test-fakes/kubernetes';
import { kubernetesModuleClusterTimeout } from './module';

const TIMEOUT_MS = 500;
const TOKEN = 'e2e-service-account-token';

const cluster = (name: string, fake: FakeKubernetes) => ({
  name,
  url: fake.url,
  authProvider: 'serviceAccount',
  serviceAccountToken: TOKEN,
  // Plain HTTP on 127.0.0.1.
  skipTLSVerify: true,
  skipMetricsLookup: true,
});

const startBackend = (kubernetes: Record<string, unknown>) =>
  startTestBackend({
    features: [
      kubernetesPlugin,
      kubernetesModuleClusterTimeout,
      catalogServiceMock.factory({ entities: [paymentsApi] }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [{ type: 'config', clusters: [] }],
            ...kubernetes,
          },
        },
      }),
    ],
  });

describe('kubernetesModuleClusterTimeout', () => {
  let dev: FakeKubernetes;
  let prod: FakeKubernetes;
  let backend: Awaited<ReturnType<typeof startBackend>>;

  const postServices = () =>
    fetch(
      `http://127.0.0.1:${backend.server.port()}/api/kubernetes/services/payments-api`,
      {
        method: 'POST',
        headers: {
          Authorization: mockCredentials.user.header(),
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ entity: paymentsApi }),
      },
    );

  beforeAll(async () => {
    dev = await FakeKubernetes.start(healthyDev(TOKEN));
    // Answers the warm-up below, then hangs.
    prod = await FakeKubernetes.start({ token: TOKEN });
    backend = await startBackend({
      clusterTimeoutMs: TIMEOUT_MS,
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [cluster('aks-dev', dev), cluster('aks-prod', prod)],
        },
      ],
    });
    // Upstream loads @kubernetes/client-node on the first request, which Jest takes seconds
    // to compile; that must not count against the timeout of the request under test.
    await postServices();
    prod.behaviour = 'hang';
  }, 30_000);

  afterAll(async () => {
    await backend?.stop();
    await Promise.all([dev?.close(), prod?.close()]);
  });

  it('answers the Kubernetes tab with the healthy cluster and names the one that hangs', async () => {
    const prodRequests = prod.requestsTo('/api/v1/pods').length;
    const started = Date.now();
    const res = await postServices();
    const elapsed = Date.now() - started;

    expect(res.status).toBe(200);
    // Without the module the hanging cluster holds the answer back for good.
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(elapsed).toBeLessThan(3000);
    const body: ObjectsByEntityResponse = await res.json();
    expect(body.items.map(i => i.cluster.name).sort()).toEqual([
      'aks-dev',
      'aks-prod',
    ]);

    const devObjects = body.items.find(i => i.cluster.name === 'aks-dev')!;
    expect(devObjects.errors).toEqual([]);
    const resources = (type: string) =>
      devObjects.resources.find(r => r.type === type)?.resources ?? [];
    expect(resources('pods').map(p => p.metadata?.name)).toEqual([
      'payments-api-6c9f8d7b5-2xk4q',
      'payments-api-6c9f8d7b5-9wq7z',
    ]);
    expect(resources('deployments').map(d => d.metadata?.name)).toEqual([
      'payments-api',
    ]);
    expect(resources('replicasets').map(r => r.metadata?.uid)).toEqual([
      resources('pods')[0].metadata?.ownerReferences?.[0].uid,
    ]);
    expect(resources('services')).toEqual([]);
    expect(dev.requestsTo('/api/v1/pods')[0].authorization).toBe(
      `Bearer ${TOKEN}`,
    );

    const prodObjects = body.items.find(i => i.cluster.name === 'aks-prod')!;
    expect(prodObjects.resources).toEqual([]);
    expect(prodObjects.errors).toEqual([
      {
        errorType: 'FETCH_ERROR',
        message: expect.stringMatching(
          /^Kubernetes cluster aks-prod did not answer within 500 ms — check that the API server is reachable/,
        ),
      },
    ]);
    // The hanging cluster was asked, and simply never answered.
    expect(prod.requestsTo('/api/v1/pods')).toHaveLength(prodRequests + 1);
  });

  it('answers at once for a cluster whose earlier read is still open, without asking it again', async () => {
    const prodRequests = prod.requests.length;
    const started = Date.now();
    const res = await postServices();

    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    const body: ObjectsByEntityResponse = await res.json();
    expect(body.items.find(i => i.cluster.name === 'aks-prod')!.errors).toEqual(
      [
        {
          errorType: 'FETCH_ERROR',
          message: expect.stringMatching(
            /^Kubernetes cluster aks-prod has not answered a read sent \d+ s ago, so it is not asked again until that read ends/,
          ),
        },
      ],
    );
    expect(prod.requests).toHaveLength(prodRequests);
  });

  it('refuses to start with a timeout that is not positive', async () => {
    await expect(startBackend({ clusterTimeoutMs: 0 })).rejects.toThrow(
      'kubernetes.clusterTimeoutMs must be a positive number of milliseconds, got 0',
    );
  });
});

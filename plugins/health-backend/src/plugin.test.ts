import {
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  COMMIT_URL_TEMPLATE,
  degradedStaging,
  DEV_REVISION,
  FakeKubernetes,
  healthyDev,
  paymentsApi,
  STAGING_REVISION,
} from '@internal/test-fakes/kubernetes';
import { healthPlugin } from './plugin';
import {
  EnvironmentsResponse,
  ResourcesResponse,
  VerdictResponse,
} from '@internal/plugin-health-common';

const CLUSTER_TIMEOUT_MS = 1000;
const ALICE = 'user:default/alice';
const MALLORY = 'user:default/mallory';
const ALICE_ENTRA_TOKEN = 'entra-token-of-alice';

async function waitFor(condition: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

// Records what the router reports as refused, as the real auditor would log it.
const audited: Array<{ eventId: string; meta?: any; failed?: boolean }> = [];
const auditor = mockServices.auditor.mock({
  createEvent: async options => {
    const event: (typeof audited)[number] = { eventId: options.eventId, meta: options.meta };
    audited.push(event);
    return { success: async () => {}, fail: async () => void (event.failed = true) };
  },
});

describe('healthPlugin', () => {
  let dev: FakeKubernetes;
  let staging: FakeKubernetes;
  let prod: FakeKubernetes;
  let baseUrl: string;
  let stopBackend: () => Promise<void>;
  // While set, the catalog answers only once it resolves.
  let catalogGate: Promise<void> | undefined;
  let openCatalogGate = () => {};
  afterEach(() => {
    catalogGate = undefined;
    openCatalogGate();
  });

  beforeAll(async () => {
    dev = await FakeKubernetes.start(healthyDev(ALICE_ENTRA_TOKEN));
    staging = await FakeKubernetes.start(degradedStaging('staging-sa-token'));
    prod = await FakeKubernetes.start({
      ...healthyDev('prod-sa-token'),
      behaviour: 'hang',
    });

    // Mallory may not read payments-api: the catalog's permission rules hide it from her.
    const catalog = catalogServiceMock.mock({
      getEntityByRef: async (ref, options) => {
        await catalogGate;
        const credentials =
          options && 'credentials' in options
            ? (options.credentials as BackstageCredentials<BackstageUserPrincipal>)
            : undefined;
        if (credentials?.principal.userEntityRef === MALLORY) return undefined;
        const wanted = typeof ref === 'string' ? ref : stringifyEntityRef(ref);
        return stringifyEntityRef(parseEntityRef(wanted)) ===
          stringifyEntityRef(paymentsApi)
          ? paymentsApi
          : undefined;
      },
    });

    const backend = await startTestBackend({
      features: [
        healthPlugin,
        catalog.factory,
        auditor.factory,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'aks-dev',
                      url: dev.url,
                      authProvider: 'aks',
                      skipTLSVerify: true,
                    },
                    {
                      name: 'aks-staging',
                      url: staging.url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'staging-sa-token',
                      skipTLSVerify: true,
                    },
                    {
                      name: 'aks-prod',
                      url: prod.url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'prod-sa-token',
                      skipTLSVerify: true,
                    },
                  ],
                },
                { type: 'catalog' },
              ],
            },
            health: {
              clusters: {
                'aks-dev': { argocdUrl: 'https://argocd.dev.contoso.com/' },
                'aks-staging': {
                  argocdUrl: 'https://argocd.staging.contoso.com',
                },
                'aks-prod': { environment: 'prod' },
              },
              timeouts: { clusterMs: CLUSTER_TIMEOUT_MS },
              cacheTtlMs: 15000,
              gitops: { commitUrlTemplate: COMMIT_URL_TEMPLATE },
            },
          },
        }),
      ],
    });
    baseUrl = `http://127.0.0.1:${backend.server.port()}/api/health`;
    stopBackend = () => backend.stop();
  });

  afterAll(async () => {
    await stopBackend?.();
    await Promise.all([dev, staging, prod].map(f => f?.close()));
  });

  const card = (which: string, name = 'payments-api') =>
    `${baseUrl}/v1/entities/component/default/${name}/${which}`;

  const asAlice = (withEntraToken = true) => ({
    Authorization: mockCredentials.user.header(ALICE),
    ...(withEntraToken
      ? { 'Backstage-Kubernetes-Authorization-aks': ALICE_ENTRA_TOKEN }
      : {}),
  });

  it('answers /health without credentials', async () => {
    const res = await fetch(`${baseUrl}/health`, {
      headers: { Authorization: mockCredentials.none.header() },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('requires credentials for the cards', async () => {
    const res = await fetch(card('verdict'), {
      headers: { Authorization: mockCredentials.none.header() },
    });
    expect(res.status).toBe(401);
  });

  it('gives a partial Degraded verdict that names staging and the hanging prod cluster', async () => {
    const started = Date.now();
    const res = await fetch(card('verdict'), { headers: asAlice() });
    const elapsed = Date.now() - started;

    expect(res.status).toBe(200);
    expect(elapsed).toBeLessThan(CLUSTER_TIMEOUT_MS + 1000);
    const body: VerdictResponse = await res.json();
    expect(body).toEqual({
      entityRef: 'component:default/payments-api',
      verdict: expect.objectContaining({
        state: 'Degraded',
        partial: true,
        failedSources: ['Kubernetes cluster aks-prod'],
      }),
      failures: [
        {
          source: 'Kubernetes cluster aks-prod',
          message: expect.stringContaining(
            `Kubernetes cluster aks-prod (prod) did not answer within ${CLUSTER_TIMEOUT_MS} ms`,
          ),
        },
      ],
      generatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      environments: [
        { environment: 'dev', cluster: 'aks-dev', state: 'Healthy' },
        { environment: 'staging', cluster: 'aks-staging', state: 'Degraded' },
        { environment: 'prod', cluster: 'aks-prod', state: 'Unknown' },
      ],
    });
    const worst = body.verdict.reasons.filter(r => r.state === 'Degraded');
    expect(worst.length).toBeGreaterThan(0);
    expect(worst.every(r => r.environment === 'staging')).toBe(true);
    expect(body.verdict.reasons).toContainEqual(
      expect.objectContaining({
        state: 'Unknown',
        source: 'Kubernetes cluster aks-prod',
      }),
    );
    // The aks cluster was read with the user's own Entra token.
    expect(dev.requests[0].authorization).toBe(`Bearer ${ALICE_ENTRA_TOKEN}`);
  });

  it('serves the environments card from the same cached read', async () => {
    const counts = [dev, staging, prod].map(f => f.requests.length);
    const started = Date.now();
    const res = await fetch(card('environments'), { headers: asAlice() });

    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(CLUSTER_TIMEOUT_MS);
    expect([dev, staging, prod].map(f => f.requests.length)).toEqual(counts);
    const body: EnvironmentsResponse = await res.json();
    expect(body.environments.map(e => [e.environment, e.cluster])).toEqual([
      ['dev', 'aks-dev'],
      ['staging', 'aks-staging'],
      ['prod', 'aks-prod'],
    ]);
    const [devRow, stagingRow, prodRow] = body.environments;
    expect(devRow).toEqual({
      environment: 'dev',
      cluster: 'aks-dev',
      application: {
        name: 'payments-api-dev',
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        revision: DEV_REVISION,
        // When the last sync finished: the deployments view shows it beside the revision.
        syncedAt: '2025-11-20T09:13:58Z',
        operationPhase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        url: 'https://argocd.dev.contoso.com/applications/argocd/payments-api-dev',
        commitUrl: `https://github.com/contoso/gitops/commit/${DEV_REVISION}`,
      },
      imageTags: ['1.4.2'],
      images: ['contoso.azurecr.io/payments-api:1.4.2'],
      pods: { ready: 2, total: 2, restarts: 0 },
      verdict: expect.objectContaining({ state: 'Healthy' }),
      failures: [],
    });
    expect(stagingRow).toMatchObject({
      application: {
        syncStatus: 'OutOfSync',
        healthStatus: 'Degraded',
        revision: STAGING_REVISION,
        url: 'https://argocd.staging.contoso.com/applications/argocd/payments-api-staging',
      },
      imageTags: ['1.5.0-rc.1'],
      pods: { ready: 1, total: 3, restarts: 161 },
      verdict: { state: 'Degraded' },
    });
    expect(prodRow).toMatchObject({
      pods: { ready: 0, total: 0, restarts: 0 },
      verdict: { state: 'Unknown', partial: true },
      failures: [{ source: 'Kubernetes cluster aks-prod' }],
    });
  });

  it('serves the cloud resources card with the connection secret flags', async () => {
    const res = await fetch(card('resources'), { headers: asAlice() });

    expect(res.status).toBe(200);
    const body: ResourcesResponse = await res.json();
    expect(
      body.resources.map(r => [
        r.environment,
        r.kind,
        r.name,
        r.ready,
        r.connectionSecret?.exists,
        r.verdict.state,
      ]),
    ).toEqual([
      ['dev', 'Database', 'payments-db', 'True', true, 'Healthy'],
      ['staging', 'Cache', 'payments-cache', 'False', false, 'Progressing'],
      ['staging', 'Database', 'payments-db', 'True', false, 'Degraded'],
      ['staging', 'Queue', 'payments-events', 'False', undefined, 'Degraded'],
    ]);
    expect(body.failures.map(f => f.source)).toEqual([
      'Kubernetes cluster aks-prod',
    ]);
  });

  it('asks to sign in with Microsoft when the aks token is not forwarded', async () => {
    const res = await fetch(card('verdict'), { headers: asAlice(false) });

    expect(res.status).toBe(200);
    const body: VerdictResponse = await res.json();
    expect(body.failures).toEqual(
      expect.arrayContaining([
        {
          source: 'Kubernetes cluster aks-dev',
          message: 'sign in with Microsoft to see cluster aks-dev',
          signIn: 'aks',
        },
      ]),
    );
    expect(body.verdict.state).toBe('Degraded');
  });

  it('answers 404 to a caller who may not read the entity, revealing nothing', async () => {
    const counts = [dev, staging, prod].map(f => f.requests.length);
    const denied = await fetch(card('environments'), {
      headers: {
        Authorization: mockCredentials.user.header(MALLORY),
        'Backstage-Kubernetes-Authorization-aks': ALICE_ENTRA_TOKEN,
      },
    });
    const missing = await fetch(card('environments', 'no-such-service'), {
      headers: asAlice(),
    });

    expect(denied.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(audited.filter(e => e.eventId === 'permission-denied' && e.failed).map(e => e.meta)).toEqual(
      expect.arrayContaining([
        { action: 'health-read', entityRef: 'component:default/payments-api', reason: 'missing, or not readable by the caller' },
      ]),
    );
    const deniedBody = await denied.json();
    expect(deniedBody.error).toEqual({
      name: 'NotFoundError',
      message: 'no entity component:default/payments-api',
    });
    expect(JSON.stringify(deniedBody)).not.toContain('aks-');
    expect((await missing.json()).error.name).toBe('NotFoundError');
    expect([dev, staging, prod].map(f => f.requests.length)).toEqual(counts);
  });

  it('reads the clusters of an entity it served before while the catalog checks the caller', async () => {
    const pods = () => dev.requestsTo('/api/v1/pods').length;
    const before = pods();
    catalogGate = new Promise(resolve => {
      openCatalogGate = resolve;
    });
    let answered = false;
    // Another Entra token: nothing cached for it.
    const answer = fetch(card('verdict'), {
      headers: {
        Authorization: mockCredentials.user.header(ALICE),
        'Backstage-Kubernetes-Authorization-aks': 'another-entra-token',
      },
    }).then(res => {
      answered = true;
      return res;
    });

    await waitFor(() => pods() > before);
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    catalogGate = undefined;
    openCatalogGate();

    expect((await answer).status).toBe(200);
    // The early read is the one answered: the cluster was read once.
    expect(pods()).toBe(before + 1);
  });

  it('answers 404 at once to a caller who may not read the entity, without waiting for the clusters', async () => {
    const started = Date.now();
    const denied = await fetch(card('verdict'), {
      headers: {
        Authorization: mockCredentials.user.header(MALLORY),
        'Backstage-Kubernetes-Authorization-aks': 'mallory-entra-token',
      },
    });

    expect(denied.status).toBe(404);
    // aks-prod hangs until the cluster timeout; a 404 that waited for it would tell the
    // entity exists.
    expect(Date.now() - started).toBeLessThan(CLUSTER_TIMEOUT_MS / 2);
  });

  it('rejects an invalid entity reference', async () => {
    const res = await fetch(card('verdict', 'not%20a%20name'), {
      headers: asAlice(),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.name).toBe('InputError');
  });

  it('serves service callers too', async () => {
    const res = await fetch(card('verdict'), {
      headers: { Authorization: mockCredentials.service.header() },
    });
    expect(res.status).toBe(200);
  });
});

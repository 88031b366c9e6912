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
  CLIENT_ID,
  entities,
  FakeAzure,
  fakeAzureIdentity,
  fakeAzureOptions,
  PROD_SUB,
  resources,
  SHARED_SUB,
} from '@internal/test-fakes/azure';
import {
  AlertsResponse,
  AZURE_MONITOR_ANNOTATIONS,
  MetricsResponse,
  ResourcesResponse,
} from '@internal/plugin-azure-monitor-common';
import { azureMonitorPlugin } from './plugin';

const ALICE = 'user:default/alice';
const MALLORY = 'user:default/mallory';
const PORTAL = 'https://portal.contoso-sovereign.example';

describe('azureMonitorPlugin', () => {
  let fake: FakeAzure;
  let baseUrl: string;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    fake = await FakeAzure.start(fakeAzureOptions());
    const known = Object.values(entities);
    // Mallory may not read any of them: the catalog's permission rules hide them from her.
    const catalog = catalogServiceMock.mock({
      getEntityByRef: async (ref, options) => {
        const credentials =
          options && 'credentials' in options
            ? (options.credentials as BackstageCredentials<BackstageUserPrincipal>)
            : undefined;
        if (credentials?.principal.userEntityRef === MALLORY) return undefined;
        const wanted = stringifyEntityRef(
          typeof ref === 'string' ? parseEntityRef(ref) : ref,
        );
        return known.find(e => stringifyEntityRef(e) === wanted);
      },
    });
    const backend = await startTestBackend({
      features: [
        azureMonitorPlugin,
        catalog.factory,
        mockServices.rootConfig.factory({
          data: {
            azure: fakeAzureIdentity(fake),
            azureMonitor: {
              subscriptionIds: [PROD_SUB, SHARED_SUB],
              armEndpoint: fake.url,
              portalUrl: `${PORTAL}/`,
              // Every request goes to Azure; only the last good answer is kept.
              cacheTtlMs: 1,
            },
          },
        }),
      ],
    });
    baseUrl = `http://127.0.0.1:${backend.server.port()}/api/azure-monitor`;
    stopBackend = () => backend.stop();
  });

  afterAll(async () => {
    await stopBackend?.();
    await fake?.close();
  });

  afterEach(() => {
    fake.throttle = false;
    fake.tokenFailure = false;
  });

  const url = (name: string, what: string) =>
    `${baseUrl}/v1/entities/component/default/${name}/${what}`;
  const get = async <T>(path: string, who = ALICE) => {
    const res = await fetch(path, {
      headers: { Authorization: mockCredentials.user.header(who) },
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const configured = <T extends { configured: boolean }>(body: T) => {
    if (!body.configured) {
      throw new Error(`expected a configured answer: ${JSON.stringify(body)}`);
    }
    return body as Extract<T, { configured: true }>;
  };

  it('answers /health without credentials', async () => {
    const res = await fetch(`${baseUrl}/health`);
    expect(res.status).toBe(200);
  });

  it('requires credentials', async () => {
    const res = await fetch(url('payments-api', 'resources'), {
      headers: { Authorization: mockCredentials.none.header() },
    });
    expect(res.status).toBe(401);
  });

  it('resolves resources by tag across every configured subscription, following nextLink', async () => {
    const { status, body } = await get<ResourcesResponse>(
      url('payments-api', 'resources'),
    );
    expect(status).toBe(200);
    const answer = configured(body);
    expect(answer.stale).toBe(false);
    expect(answer.problem).toBeUndefined();
    expect(answer.resources.map(r => r.name)).toEqual([
      'payments-api',
      'payments-api-ai',
      'payments-cache',
      'payments-db',
      'payments-worker',
      'paymentsreceipts',
    ]);
    const site = answer.resources.find(r => r.name === 'payments-api')!;
    expect(site).toMatchObject({
      id: resources.paymentsSite.id,
      type: 'Microsoft.Web/sites',
      subscriptionId: PROD_SUB,
      resourceGroup: 'rg-payments-prod',
      location: 'westeurope',
      portalUrl: `${PORTAL}/#resource${resources.paymentsSite.id}`,
    });
    const tagQueries = fake.armRequests(/\/resources$/);
    expect(tagQueries.map(r => r.query.$filter)).toContain(
      "tagName eq 'backstage.io/kubernetes-id' and tagValue eq 'payments-api'",
    );
    expect(tagQueries.some(r => r.query.$skiptoken === '4')).toBe(true);
  });

  it('resolves resources by resource group and by id', async () => {
    const byGroup = configured(
      (await get<ResourcesResponse>(url('shared-platform', 'resources'))).body,
    );
    expect(byGroup.resources.map(r => r.id)).toEqual([
      resources.aks.id,
      resources.serviceBus.id,
    ]);
    const byId = configured(
      (await get<ResourcesResponse>(url('orders-api', 'resources'))).body,
    );
    expect(byId.resources.map(r => [r.name, r.type])).toEqual([
      ['aks-prod', 'Microsoft.ContainerService/managedClusters'],
      ['orders-api', 'Microsoft.Web/sites'],
    ]);
  });

  it('shows the metrics each resource type has, for the chosen range', async () => {
    const before = Date.now();
    const { status, body } = await get<MetricsResponse>(
      url('payments-api', 'metrics?range=6h'),
    );
    expect(status).toBe(200);
    const answer = configured(body);
    expect(answer.range).toBe('6h');
    const kinds = (name: string) =>
      answer.series
        .filter(s => s.resourceName === name)
        .map(s => `${s.kind}:${s.metric}`);
    expect(kinds('payments-api')).toEqual([
      'requests:Requests',
      'failures:Http5xx',
      'latency:HttpResponseTime',
      'cpu:CpuTime',
      'memory:MemoryWorkingSet',
    ]);
    expect(kinds('payments-api-ai')).toEqual([
      'requests:requests/count',
      'failures:requests/failed',
      'latency:requests/duration',
    ]);
    expect(kinds('payments-cache')).toEqual([
      'cpu:percentProcessorTime',
      'memory:usedmemorypercentage',
    ]);
    expect(kinds('payments-db')).toEqual([
      'cpu:cpu_percent',
      'memory:memory_percent',
    ]);
    // A storage account has none of the card's metrics and is not asked for any.
    expect(kinds('paymentsreceipts')).toEqual([]);
    expect(fake.armRequests(/paymentsreceipts\/providers/)).toEqual([]);

    const requests = answer.series.find(s => s.metric === 'Requests')!;
    expect(requests.unit).toBe('Count');
    // Counts are totals (5 samples of 240 a minute), gauges averages.
    expect(requests.points.map(p => p.value)).toEqual([1200, 1260, 1320]);
    const cpu = answer.series.find(s => s.metric === 'cpu_percent')!;
    expect(cpu.points.map(p => p.value)).toEqual([23, 24.15, 25.3]);

    const call = fake
      .armRequests(/payments-api\/providers\/Microsoft\.Insights\/metrics$/)
      .pop()!;
    expect(call.query.interval).toBe('PT5M');
    const [start, end] = call.query.timespan.split('/').map(Date.parse);
    expect(end - start).toBe(6 * 3_600_000);
    expect(end).toBeGreaterThanOrEqual(before - 1000);
    expect(call.query['api-version']).toBe('2024-02-01');
  });

  it('shows AKS and Service Bus metrics of a resource group', async () => {
    const answer = configured(
      (await get<MetricsResponse>(url('shared-platform', 'metrics?range=7d')))
        .body,
    );
    expect(
      answer.series.map(s => `${s.resourceName}:${s.kind}:${s.metric}`),
    ).toEqual([
      'aks-prod:cpu:node_cpu_usage_percentage',
      'aks-prod:memory:node_memory_working_set_percentage',
      'sb-shared:requests:IncomingRequests',
      'sb-shared:failures:ServerErrors',
    ]);
    const call = fake
      .armRequests(/aks-prod\/providers\/Microsoft\.Insights\/metrics$/)
      .pop()!;
    expect(call.query.interval).toBe('PT1H');
  });

  it('rejects an unknown range', async () => {
    const { status } = await get(url('payments-api', 'metrics?range=2y'));
    expect(status).toBe(400);
  });

  it('lists firing alerts of the component only, most severe first, with portal links', async () => {
    const { status, body } = await get<AlertsResponse>(
      url('payments-api', 'alerts'),
    );
    expect(status).toBe(200);
    const answer = configured(body);
    expect(answer.alerts.map(a => [a.severity, a.name, a.state])).toEqual([
      ['Sev0', 'payments-db CPU above 90%', 'New'],
      ['Sev1', 'payments-api 5xx', 'New'],
      ['Sev3', 'payments-api slow responses', 'Acknowledged'],
    ]);
    const first = answer.alerts[0];
    expect(first.targetResource).toBe(resources.paymentsDb.id);
    expect(first.firedAt).toBe('2025-05-02T10:20:00Z');
    expect(first.id).toMatch(
      /\/providers\/Microsoft\.AlertsManagement\/alerts\/[0-9a-f-]+$/,
    );
    expect(first.portalUrl).toBe(
      `${PORTAL}/#blade/Microsoft_Azure_Monitoring/AlertDetailsTemplateBlade/alertId/${encodeURIComponent(
        first.id,
      )}`,
    );
    const call = fake
      .armRequests(/Microsoft\.AlertsManagement\/alerts$/)
      .pop()!;
    expect(call.query).toMatchObject({
      monitorCondition: 'Fired',
      timeRange: '30d',
    });
  });

  it('keeps showing the last good data, with its time, while Azure throttles', async () => {
    const good = configured(
      (await get<AlertsResponse>(url('payments-api', 'alerts'))).body,
    );
    expect(good.alerts).toHaveLength(3);

    fake.throttle = true;
    const started = Date.now();
    const { status, body } = await get<AlertsResponse>(
      url('payments-api', 'alerts'),
    );
    // Answered at once, not after the SDK slept through Retry-After.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(status).toBe(200);
    const throttled = configured(body);
    expect(throttled.problem).toEqual({
      status: 'throttled',
      retryAfterSeconds: 7,
      message: expect.stringContaining('try again in 7 seconds'),
    });
    expect(throttled.stale).toBe(true);
    expect(throttled.generatedAt).toBe(good.generatedAt);
    expect(throttled.alerts).toEqual(good.alerts);

    const metrics = configured(
      (await get<MetricsResponse>(url('shared-platform', 'metrics?range=24h')))
        .body,
    );
    // Never read before: nothing to show, but the reason is still given.
    expect(metrics.problem?.status).toBe('throttled');
    expect(metrics.stale).toBe(false);
    expect(metrics.series).toEqual([]);
  });

  it('says the Azure credentials failed and keeps the last good data', async () => {
    const good = configured(
      (await get<MetricsResponse>(url('payments-api', 'metrics?range=1h')))
        .body,
    );
    expect(good.series.length).toBeGreaterThan(0);

    fake.tokenFailure = true;
    // A token in hand stays good until it expires (the fake's live one second); only then
    // does the refused secret show.
    await new Promise(resolve => setTimeout(resolve, 1100));
    const tokensBefore = fake.tokensIssued;
    const answer = configured(
      (await get<MetricsResponse>(url('payments-api', 'metrics?range=1h')))
        .body,
    );
    expect(fake.tokensIssued).toBe(tokensBefore);
    expect(answer.problem).toEqual({
      status: 'credentials',
      message: expect.stringMatching(/^Azure credentials failed or expired: /),
    });
    // What Entra ID said (app id, trace ids) goes to the log, not to the user.
    expect(answer.problem?.message).not.toContain(CLIENT_ID);
    expect(answer.stale).toBe(true);
    expect(answer.generatedAt).toBe(good.generatedAt);
    expect(answer.series).toEqual(good.series);

    const alerts = configured(
      (await get<AlertsResponse>(url('shared-platform', 'alerts'))).body,
    );
    expect(alerts.problem?.status).toBe('credentials');
  });

  it('tells how to configure an entity without annotations', async () => {
    for (const what of ['resources', 'metrics', 'alerts']) {
      const { status, body } = await get(url('legacy-batch', what));
      expect(status).toBe(200);
      expect(body).toEqual({
        entityRef: 'component:default/legacy-batch',
        configured: false,
        missing: 'annotation',
        annotations: AZURE_MONITOR_ANNOTATIONS,
      });
    }
  });

  it('rejects a malformed annotation', async () => {
    const { status, body } = await get<{ error: { message: string } }>(
      url('broken-annotation', 'resources'),
    );
    expect(status).toBe(400);
    expect(body.error.message).toContain('<subscriptionId>/<resourceGroup>');
  });

  it('answers 404, and asks Azure nothing, for an entity the caller may not read', async () => {
    const before = fake.requests.length;
    for (const what of ['resources', 'metrics', 'alerts']) {
      const { status } = await get(url('payments-api', what), MALLORY);
      expect(status).toBe(404);
    }
    expect(fake.requests.length).toBe(before);
    expect((await get(url('no-such-thing', 'alerts'))).status).toBe(404);
  });
});

describe('azureMonitorPlugin in a portal with no Azure settings', () => {
  it('answers every card with what to set up, not an error, and asks Azure nothing', async () => {
    const fake = await FakeAzure.start(fakeAzureOptions());
    const catalog = catalogServiceMock.mock({
      getEntityByRef: async ref =>
        Object.values(entities).find(
          e => stringifyEntityRef(e) === stringifyEntityRef(typeof ref === 'string' ? parseEntityRef(ref) : ref),
        ),
    });
    const backend = await startTestBackend({
      features: [azureMonitorPlugin, catalog.factory, mockServices.rootConfig.factory({ data: {} })],
    });
    try {
      const base = `http://127.0.0.1:${backend.server.port()}/api/azure-monitor`;
      for (const name of Object.values(entities).map(e => e.metadata.name)) {
        for (const what of ['resources', 'metrics', 'alerts']) {
          const res = await fetch(`${base}/v1/entities/component/default/${name}/${what}`, {
            headers: { Authorization: mockCredentials.user.header(ALICE) },
          });
          expect(res.status).toBe(200);
          expect(await res.json()).toMatchObject({
            configured: false,
            missing: 'portal',
            settings: ['azureMonitor.subscriptionIds', 'azure.credentials'],
          });
        }
      }
      expect(fake.requests).toEqual([]);
    } finally {
      await backend.stop();
      await fake.close();
    }
  });
});

import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import Router from 'express-promise-router';
import {
  FakeKubernetes,
  healthyDev,
  paymentsApi,
} from '@internal/test-fakes/kubernetes';
import { healthPlugin } from './plugin';
import { VerdictResponse } from './types';

// The azure-monitor plugin, answering like @internal/plugin-azure-monitor-backend does.
let alertsAnswer: object = {};
let alertsCaller: string | undefined;
const fakeAzureMonitor = createBackendPlugin({
  pluginId: 'azure-monitor',
  register(env) {
    env.registerInit({
      deps: { httpRouter: coreServices.httpRouter, httpAuth: coreServices.httpAuth },
      async init({ httpRouter, httpAuth }) {
        const router = Router();
        router.get('/v1/entities/:kind/:namespace/:name/alerts', async (req, res) => {
          const credentials = await httpAuth.credentials(req, { allow: ['service'] });
          alertsCaller = credentials.principal.subject;
          if ((alertsAnswer as any).status === 400) {
            res.status(400).json({
              error: {
                name: 'InputError',
                message: 'The azure.com/tag-selector annotation needs azureMonitor.subscriptionIds',
              },
            });
            return;
          }
          res.json(alertsAnswer);
        });
        httpRouter.use(router);
      },
    });
  },
});

describe('firing Azure Monitor alerts in the verdict', () => {
  let dev: FakeKubernetes;
  let url: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    dev = await FakeKubernetes.start(healthyDev('dev-token'));
    const backend = await startTestBackend({
      features: [
        healthPlugin,
        fakeAzureMonitor,
        catalogServiceMock.factory({ entities: [paymentsApi] }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    { name: 'aks-dev', url: dev.url, authProvider: 'serviceAccount', serviceAccountToken: 'dev-token', skipTLSVerify: true },
                  ],
                },
              ],
            },
            health: { cacheTtlMs: 1, staleTtlMs: 1 },
            azureMonitor: { subscriptionIds: ['3b540246-808d-4331-99aa-917b808a9166'] },
          },
        }),
      ],
    });
    url = `http://127.0.0.1:${backend.server.port()}/api/health/v1/entities/component/default/payments-api/verdict`;
    stop = () => backend.stop();
  });
  afterAll(async () => {
    await stop();
    await dev.close();
  });

  const get = async (): Promise<VerdictResponse> =>
    (await fetch(url, { headers: { Authorization: mockCredentials.user.header() } })).json();

  it('turns a firing Sev1 alert into a Degraded verdict, asked as the health plugin', async () => {
    alertsAnswer = {
      configured: true,
      stale: false,
      generatedAt: '2026-11-23T17:00:00Z',
      alerts: [
        {
          id: '/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/1',
          name: 'High failed requests',
          severity: 'Sev1',
          state: 'New',
          monitorCondition: 'Fired',
          firedAt: '2026-11-23T16:40:00Z',
          targetResource: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/payments-api',
        },
      ],
    };
    const body = await get();
    expect(body.verdict.state).toBe('Degraded');
    expect(body.verdict.reasons.map(r => r.source)).toContain('Azure Monitor');
    expect(JSON.stringify(body.verdict.reasons)).toContain('High failed requests');
    expect(alertsCaller).toBe('plugin:health');
  });

  it('names Azure Monitor as a failed source when it is throttled, and keeps the rest', async () => {
    alertsAnswer = {
      configured: true,
      stale: true,
      generatedAt: '2026-11-23T17:00:00Z',
      problem: { status: 'throttled', retryAfterSeconds: 7, message: 'Azure is throttling requests; retry in 7 s' },
      alerts: [],
    };
    const body = await get();
    expect(body.failures).toContainEqual({
      source: 'Azure Monitor alerts',
      message: 'Azure is throttling requests; retry in 7 s',
    });
    expect(body.verdict.state).toBe('Healthy');
    expect(body.verdict.partial).toBe(true);
  });

  it('adds nothing for an entity without Azure annotations', async () => {
    alertsAnswer = { configured: false, annotations: ['azure.com/tag-selector'] };
    const body = await get();
    expect(body.verdict.state).toBe('Healthy');
    expect(JSON.stringify(body)).not.toContain('Azure Monitor');
  });

  it('passes on what Azure Monitor says when it refuses the request', async () => {
    alertsAnswer = { status: 400 };
    const body = await get();
    expect(body.failures).toContainEqual({
      source: 'Azure Monitor alerts',
      message: 'The azure.com/tag-selector annotation needs azureMonitor.subscriptionIds',
    });
  });
});

describe('without azureMonitor in the config', () => {
  it('does not ask Azure Monitor at all', async () => {
    const dev = await FakeKubernetes.start(healthyDev('dev-token'));
    alertsCaller = undefined;
    const backend = await startTestBackend({
      features: [
        healthPlugin,
        fakeAzureMonitor,
        catalogServiceMock.factory({ entities: [paymentsApi] }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    { name: 'aks-dev', url: dev.url, authProvider: 'serviceAccount', serviceAccountToken: 'dev-token', skipTLSVerify: true },
                  ],
                },
              ],
            },
          },
        }),
      ],
    });
    try {
      const res = await fetch(
        `http://127.0.0.1:${backend.server.port()}/api/health/v1/entities/component/default/payments-api/verdict`,
        { headers: { Authorization: mockCredentials.user.header() } },
      );
      const body: VerdictResponse = await res.json();
      expect(body.failures).toEqual([]);
      expect(body.verdict.state).toBe('Healthy');
      expect(alertsCaller).toBeUndefined();
    } finally {
      await backend.stop();
      await dev.close();
    }
  });
});

import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { isAzureMonitorAvailable, isAzureMonitorCardShown } from '../annotations';
import {
  AlertsResponse,
  AzureAlert,
  AzureMonitorApi,
  azureMonitorApiRef,
  MetricSeries,
  MetricsResponse,
  ResourcesResponse,
} from '../api';
import { AzureAlertsCard } from './AzureAlertsCard';
import { AzureMetricsCard } from './AzureMetricsCard';
import { formatTimestamp } from './common/time';

const sub = '3b540246-808d-4331-99aa-917b808a9166';
const appId = `/subscriptions/${sub}/resourceGroups/orders-rg/providers/Microsoft.Web/sites/orders-api`;
const insightsId = `/subscriptions/${sub}/resourceGroups/orders-rg/providers/microsoft.insights/components/orders-ai`;
const portal = (id: string) =>
  `https://portal.azure.com/#@/resource${id}/overview`;

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-api',
    annotations: { 'azure.com/tag-selector': 'backstage.io/kubernetes-id=orders-api' },
  },
  spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
};
const entityRef = 'component:default/orders-api';
const generatedAt = new Date(Date.now() - 5 * 60_000).toISOString();

function api(overrides: Partial<AzureMonitorApi>): AzureMonitorApi {
  const never = () => new Promise<never>(() => {});
  return { getResources: never, getMetrics: never, getAlerts: never, ...overrides };
}

function responseError(status: number, message: string) {
  return ResponseError.fromResponse({
    status,
    statusText: status === 404 ? 'Not Found' : 'Internal Server Error',
    url: 'http://localhost:7007/api/azure-monitor/v1/entities/component/default/orders-api/alerts',
    headers: new Headers({ 'content-type': 'application/json' }),
    // The body Backstage's error middleware sends.
    text: async () => JSON.stringify({ error: { name: 'Error', message }, response: { statusCode: status } }),
  } as any);
}

async function render(ui: JSX.Element, monitorApi: AzureMonitorApi, e: Entity = entity) {
  return renderInTestApp(
    <TestApiProvider apis={[[azureMonitorApiRef, monitorApi]]}>
      <EntityProvider entity={e}>{ui}</EntityProvider>
    </TestApiProvider>,
  );
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

function alert(id: string, severity: AzureAlert['severity'], firedMinutesAgo: number): AzureAlert {
  const alertId = `/subscriptions/${sub}/providers/Microsoft.AlertsManagement/alerts/${id}`;
  return {
    id: alertId,
    name: `${id} rule`,
    severity,
    state: 'New',
    monitorCondition: 'Fired',
    firedAt: minutesAgo(firedMinutesAgo),
    targetResource: appId,
    portalUrl: `https://portal.azure.com/#blade/Microsoft_Azure_Monitoring_Alerts/AlertDetails.ReactView/alertId/${encodeURIComponent(alertId)}`,
  };
}

const alerts = (list: AzureAlert[], extra: Partial<AlertsResponse> = {}): AlertsResponse =>
  ({ entityRef, configured: true, generatedAt, stale: false, alerts: list, ...extra }) as AlertsResponse;

describe('isAzureMonitorAvailable', () => {
  it('is true for any one of the three annotations and false without them', () => {
    const withAnnotation = (key: string) => ({
      ...entity,
      metadata: { name: 'x', annotations: { [key]: 'v' } },
    });
    expect(isAzureMonitorAvailable(withAnnotation('azure.com/resource-id'))).toBe(true);
    expect(isAzureMonitorAvailable(withAnnotation('azure.com/resource-group'))).toBe(true);
    expect(isAzureMonitorAvailable(withAnnotation('azure.com/tag-selector'))).toBe(true);
    expect(isAzureMonitorAvailable(withAnnotation('backstage.io/kubernetes-id'))).toBe(false);
    expect(isAzureMonitorCardShown({ ...entity, kind: 'System' })).toBe(false);
    expect(isAzureMonitorCardShown(entity)).toBe(true);
    // A Resource that names its Azure resource gets its metrics and alerts; one that does not, no card.
    expect(isAzureMonitorCardShown({ ...withAnnotation('azure.com/resource-id'), kind: 'Resource' })).toBe(true);
    expect(isAzureMonitorCardShown({ ...entity, kind: 'Resource', metadata: { name: 'payments-db' } })).toBe(false);
  });
});

describe('AzureAlertsCard', () => {
  it('shows progress while loading', async () => {
    await render(<AzureAlertsCard />, api({}));
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('lists alerts most severe first, each linked to the Azure portal', async () => {
    const sev2 = alert('disk-nearly-full', 'Sev2', 30);
    const sev0 = alert('site-down', 'Sev0', 120);
    const sev1 = alert('http-5xx', 'Sev1', 10);
    await render(<AzureAlertsCard />, api({ getAlerts: async () => alerts([sev2, sev0, sev1]) }));

    const list = await screen.findByRole('list', { name: 'active alerts' });
    const links = within(list).getAllByRole('link');
    expect(links.map(l => l.textContent)).toEqual([
      expect.stringContaining('site-down rule'),
      expect.stringContaining('http-5xx rule'),
      expect.stringContaining('disk-nearly-full rule'),
    ]);
    expect(links[0]).toHaveAttribute('href', sev0.portalUrl);
    expect(within(list).getByText(/orders-api · New · fired 2 h ago/)).toBeInTheDocument();
    expect(screen.getByText('3 active alerts')).toBeInTheDocument();
    expect(screen.getByText('Sev0 × 1')).toBeInTheDocument();
  });

  it('says so when no alert is firing', async () => {
    await render(<AzureAlertsCard />, api({ getAlerts: async () => alerts([]) }));
    expect(await screen.findByText('No alerts are firing.')).toBeInTheDocument();
  });

  it('says the service failed, with no HTTP status, and asks again on "Try again"', async () => {
    const getAlerts = jest
      .fn()
      .mockImplementationOnce(async () => Promise.reject(await responseError(500, 'kaboom')))
      .mockImplementationOnce(async () => alerts([]));
    await render(<AzureAlertsCard />, api({ getAlerts }));
    expect(await screen.findByText('The Azure Monitor service could not answer')).toBeInTheDocument();
    expect(screen.getByText(/It said: kaboom\./)).toBeInTheDocument();
    expect(screen.queryByText(/500|Internal Server Error|Request failed/)).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No alerts are firing.')).toBeInTheDocument();
    expect(getAlerts).toHaveBeenCalledTimes(2);
  });

  it('shows nothing about an entity the user may not read', async () => {
    await render(
      <AzureAlertsCard />,
      api({ getAlerts: async () => Promise.reject(await responseError(404, 'no entity')) }),
    );
    expect(await screen.findByText('Nothing to show')).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'active alerts' })).not.toBeInTheDocument();
  });

  it('explains the three annotations when the entity has none, without calling the backend', async () => {
    const getAlerts = jest.fn();
    await render(<AzureAlertsCard />, api({ getAlerts }), {
      ...entity,
      metadata: { name: 'orders-api' },
    });
    expect(
      await screen.findByText('No Azure resources are linked to this component'),
    ).toBeInTheDocument();
    for (const key of ['azure.com/resource-id', 'azure.com/resource-group', 'azure.com/tag-selector']) {
      expect(screen.getAllByText(new RegExp(key)).length).toBeGreaterThan(0);
    }
    expect(getAlerts).not.toHaveBeenCalled();
  });

  it('explains the annotations when the backend says the entity is not configured', async () => {
    await render(
      <AzureAlertsCard />,
      api({
        getAlerts: async () => ({
          entityRef,
          configured: false,
          missing: 'annotation',
          annotations: ['azure.com/resource-id', 'azure.com/resource-group', 'azure.com/tag-selector'],
        }),
      }),
    );
    expect(
      await screen.findByText('No Azure resources are linked to this component'),
    ).toBeInTheDocument();
  });

  it('says what to set when the portal has no Azure settings, with no error', async () => {
    await render(
      <AzureMetricsCard />,
      api({
        getMetrics: async () => ({
          entityRef,
          configured: false,
          missing: 'portal',
          annotations: ['azure.com/resource-id', 'azure.com/resource-group', 'azure.com/tag-selector'],
          settings: ['azureMonitor.subscriptionIds', 'azureMonitor.credentials'],
        }),
      }),
    );
    expect(await screen.findByText('Azure Monitor is not set up for this portal yet')).toBeInTheDocument();
    expect(screen.getByText('azureMonitor.subscriptionIds')).toBeInTheDocument();
    expect(screen.queryByText(/Error/)).not.toBeInTheDocument();
  });

  it('says Azure is throttling and still shows the last good alerts with their time', async () => {
    const old = new Date(Date.now() - 40 * 60_000).toISOString();
    await render(
      <AzureAlertsCard />,
      api({
        getAlerts: async () =>
          alerts([alert('site-down', 'Sev0', 60)], {
            generatedAt: old,
            stale: true,
            problem: {
              status: 'throttled',
              message: 'Azure Resource Manager throttled the request; try again in 30 seconds',
              retryAfterSeconds: 30,
            },
          }),
      }),
    );
    expect(
      await screen.findByText(
        `Warning: Azure is throttling requests; showing data from ${formatTimestamp(old)} (40 min ago); retry in 30 s`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /site-down rule/ })).toBeInTheDocument();
  });

  it('says the credentials failed and shows no made-up "nothing firing" without earlier data', async () => {
    await render(
      <AzureAlertsCard />,
      api({
        getAlerts: async () =>
          alerts([], {
            problem: { status: 'credentials', message: 'AADSTS7000222: the client secret has expired' },
          }),
      }),
    );
    expect(
      await screen.findByText(
        'Error: Azure credentials failed or expired; there is no earlier data to show',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('No alerts are firing.')).not.toBeInTheDocument();
  });
});

const resources: ResourcesResponse = {
  entityRef,
  configured: true,
  generatedAt,
  stale: false,
  resources: [
    {
      id: appId,
      name: 'orders-api',
      type: 'Microsoft.Web/sites',
      subscriptionId: sub,
      resourceGroup: 'orders-rg',
      location: 'westeurope',
      portalUrl: portal(appId),
    },
    {
      id: insightsId,
      name: 'orders-ai',
      type: 'microsoft.insights/components',
      subscriptionId: sub,
      resourceGroup: 'orders-rg',
      portalUrl: portal(insightsId),
    },
  ],
};

function series(
  resourceId: string,
  resourceName: string,
  metric: string,
  kind: MetricSeries['kind'],
  unit: string,
  values: number[],
): MetricSeries {
  return {
    resourceId,
    resourceName,
    resourceType: 'Microsoft.Web/sites',
    metric,
    unit,
    kind,
    points: values.map((value, i) => ({
      timestamp: new Date(Date.UTC(2026, 10, 23, 17, i)).toISOString(),
      value,
    })),
  };
}

const metrics = (list: MetricSeries[], extra: Partial<MetricsResponse> = {}): MetricsResponse =>
  ({ entityRef, configured: true, generatedAt, stale: false, range: '1h', series: list, ...extra }) as MetricsResponse;

describe('AzureMetricsCard', () => {
  it('shows progress while loading', async () => {
    await render(<AzureMetricsCard />, api({}));
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('lists the resources and draws one section per metric kind present', async () => {
    await render(
      <AzureMetricsCard />,
      api({
        getResources: async () => resources,
        getMetrics: async () =>
          metrics([
            series(appId, 'orders-api', 'Requests', 'requests', 'Count', [10, 12]),
            series(insightsId, 'orders-ai', 'requests/count', 'requests', 'Count', [3, 4]),
            series(appId, 'orders-api', 'HttpResponseTime', 'latency', 'Seconds', [0.25, 0.5]),
            series(insightsId, 'orders-ai', 'requests/duration', 'latency', 'MilliSeconds', [120]),
            series(appId, 'orders-api', 'MemoryWorkingSet', 'memory', 'Bytes', [2 * 1024 * 1024]),
          ]),
      }),
    );
    expect(await screen.findByRole('region', { name: 'Requests' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Server response time' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Memory' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Failed requests' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'CPU' })).not.toBeInTheDocument();

    // One line per resource, seconds and milliseconds brought onto one axis.
    const latency = screen.getByRole('region', { name: 'Server response time' });
    const legend = within(latency).getByRole('list', { name: 'legend (ms)' });
    expect(within(legend).getByText(/latest 500 ms/)).toBeInTheDocument();
    expect(within(legend).getByText(/latest 120 ms/)).toBeInTheDocument();
    expect(
      within(screen.getByRole('region', { name: 'Memory' })).getByText(/latest 2 MiB/),
    ).toBeInTheDocument();

    const resourceList = screen.getByRole('list', { name: 'Azure resources' });
    expect(within(resourceList).getByRole('link', { name: /orders-api/ })).toHaveAttribute(
      'href',
      portal(appId),
    );
  });

  it('asks for the chosen time range', async () => {
    const getMetrics = jest.fn(async () => metrics([]));
    await render(
      <AzureMetricsCard />,
      api({ getResources: async () => resources, getMetrics }),
    );
    expect(
      await screen.findByText(/Azure Monitor has no request, failure/),
    ).toBeInTheDocument();
    expect(getMetrics).toHaveBeenLastCalledWith(
      { kind: 'Component', namespace: 'default', name: 'orders-api' },
      '1h',
    );

    fireEvent.mouseDown(screen.getByRole('button', { name: /Time range/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'Last 24 hours' }));

    await waitFor(() =>
      expect(getMetrics).toHaveBeenLastCalledWith(
        { kind: 'Component', namespace: 'default', name: 'orders-api' },
        '24h',
      ),
    );
  });

  it('shows one error panel when the backend fails, and "Try again" asks for both again', async () => {
    const failure = async () => Promise.reject(await responseError(500, 'kaboom'));
    const getResources = jest.fn().mockImplementationOnce(failure).mockImplementation(async () => resources);
    const getMetrics = jest
      .fn()
      .mockImplementationOnce(failure)
      .mockImplementation(async () =>
        metrics([series(appId, 'orders-api', 'Requests', 'requests', 'Count', [10, 12])]),
      );
    await render(<AzureMetricsCard />, api({ getResources, getMetrics }));
    expect(await screen.findByText('The Azure Monitor service could not answer')).toBeInTheDocument();
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.queryByText(/500|Internal Server Error/)).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('region', { name: 'Requests' })).toBeInTheDocument();
    expect(getResources).toHaveBeenCalledTimes(2);
    expect(getMetrics).toHaveBeenCalledTimes(2);
  });

  it('shows nothing about an entity the user may not read', async () => {
    const denied = async () => Promise.reject(await responseError(404, 'no entity'));
    await render(<AzureMetricsCard />, api({ getResources: denied, getMetrics: denied }));
    expect(await screen.findByText('Nothing to show')).toBeInTheDocument();
    expect(screen.getAllByText('Nothing to show')).toHaveLength(1);
  });

  it('explains the annotations when the entity has none, without calling the backend', async () => {
    const getMetrics = jest.fn();
    await render(<AzureMetricsCard />, api({ getMetrics }), {
      ...entity,
      metadata: { name: 'orders-api' },
    });
    expect(
      await screen.findByText('No Azure resources are linked to this component'),
    ).toBeInTheDocument();
    expect(getMetrics).not.toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: /Time range/ })).not.toBeInTheDocument();
  });

  it('shows the last good charts under a warning when the credentials expired', async () => {
    const old = new Date(Date.now() - 3 * 3_600_000).toISOString();
    await render(
      <AzureMetricsCard />,
      api({
        getResources: async () => resources,
        getMetrics: async () =>
          metrics([series(appId, 'orders-api', 'CpuTime', 'cpu', 'Seconds', [4])], {
            generatedAt: old,
            stale: true,
            problem: { status: 'credentials', message: 'the client secret has expired' },
          }),
      }),
    );
    expect(
      await screen.findByText(
        `Warning: Azure credentials failed or expired; showing data from ${formatTimestamp(old)} (3 h ago)`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'CPU' })).toBeInTheDocument();
  });
});

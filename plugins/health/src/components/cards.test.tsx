import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ResponseError } from '@backstage/errors';
import { HealthApi, healthApiRef, ResourceRow } from '../api';
import { CloudResourcesCard } from './CloudResourcesCard';
import { EnvironmentsCard } from './EnvironmentsCard';
import { HealthVerdictCard } from './HealthVerdictCard';
import {
  isCloudResourcesAvailable,
  isWorkloadHealthAvailable,
} from './common/CardState';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', annotations: { 'backstage.io/kubernetes-id': 'orders-api' } },
  spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
};

const generatedAt = '2026-11-23T17:00:00Z';
const entityRef = 'component:default/orders-api';

function api(overrides: Partial<HealthApi>): HealthApi {
  const never = () => new Promise<never>(() => {});
  return { getVerdict: never, getEnvironments: never, getResources: never, ...overrides };
}

function responseError(status: number, message: string) {
  return ResponseError.fromResponse({
    status,
    statusText: status === 404 ? 'Not Found' : 'Internal Server Error',
    url: 'http://localhost:7007/api/health/v1/entities/component/default/orders-api/verdict',
    headers: new Headers({ 'content-type': 'application/json' }),
    text: async () =>
      JSON.stringify({ error: { name: 'Error', message }, response: { statusCode: status } }),
  } as any);
}

async function render(ui: JSX.Element, healthApi: HealthApi, e: Entity = entity) {
  return renderInTestApp(
    <TestApiProvider apis={[[healthApiRef, healthApi]]}>
      <EntityProvider entity={e}>{ui}</EntityProvider>
    </TestApiProvider>,
  );
}

describe('HealthVerdictCard', () => {
  it('shows progress while loading', async () => {
    await render(<HealthVerdictCard />, api({}));
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows the verdict and every reason', async () => {
    await render(
      <HealthVerdictCard />,
      api({
        getVerdict: async () => ({
          entityRef,
          generatedAt,
          environments: [],
          failures: [],
          verdict: {
            state: 'Degraded',
            reasons: [
              { state: 'Degraded', source: 'staging pods', message: '1 of 2 pods ready; 1 in CrashLoopBackOff' },
              { state: 'Healthy', source: 'dev ArgoCD', message: 'Synced and Healthy' },
            ],
          },
        }),
      }),
    );
    expect(await screen.findByLabelText('verdict')).toHaveTextContent('Degraded');
    expect(screen.getByText(/1 of 2 pods ready; 1 in CrashLoopBackOff/)).toBeInTheDocument();
    // A group where all is well folds to one line, and opens on demand.
    expect(screen.queryByText(/Synced and Healthy/)).not.toBeInTheDocument();
    screen.getByRole('button', { name: 'Show the healthy check' }).click();
    expect(await screen.findByText(/Synced and Healthy/)).toBeInTheDocument();
  });

  it('names the sources that failed when the result is partial', async () => {
    await render(
      <HealthVerdictCard />,
      api({
        getVerdict: async () => ({
          entityRef,
          generatedAt,
          environments: [],
          failures: [{ source: 'cluster aks-prod', message: 'did not answer within 5 s' }],
          verdict: { state: 'Healthy', partial: true, failedSources: ['cluster aks-prod'], reasons: [] },
        }),
      }),
    );
    expect(
      await screen.findByText(/Partial result: cluster aks-prod could not be read/),
    ).toBeInTheDocument();
    expect(screen.getByText('(partial)')).toBeInTheDocument();
  });

  it('says what to set up when the portal has no clusters, with no warning or partial mark', async () => {
    await render(
      <HealthVerdictCard />,
      api({
        getVerdict: async () => ({
          entityRef,
          generatedAt,
          environments: [],
          failures: [],
          notConfigured: {
            message: 'This portal has no AKS clusters configured, so it cannot show pods, ArgoCD or Crossplane status yet.',
            settings: ['kubernetes.clusterLocatorMethods'],
            docs: 'docs/observability.md',
          },
          verdict: { state: 'Unknown', reasons: [{ state: 'Unknown', source: 'health', message: 'no clusters' }] },
        }),
      }),
    );
    expect(await screen.findByText('Not set up for this portal yet')).toBeInTheDocument();
    expect(screen.getByText('kubernetes.clusterLocatorMethods')).toBeInTheDocument();
    expect(screen.queryByText(/Partial result/)).not.toBeInTheDocument();
    expect(screen.queryByText('(partial)')).not.toBeInTheDocument();
  });

  it('offers Microsoft sign-in for AKS clusters that need the user, and reloads with it', async () => {
    let signedIn = false;
    const getVerdict = jest.fn(async () => ({
      entityRef,
      generatedAt,
      environments: [],
      failures: signedIn
        ? []
        : [{ source: 'Kubernetes cluster aks-dev', message: 'sign in with Microsoft to see cluster aks-dev', signIn: 'aks' as const }],
      verdict: { state: signedIn ? ('Healthy' as const) : ('Unknown' as const), reasons: [] },
    }));
    const signInToAks = jest.fn(async () => {
      signedIn = true;
    });
    await render(<HealthVerdictCard />, api({ getVerdict, signInToAks }));
    const button = await screen.findByRole('button', { name: 'Sign in with Microsoft to see aks-dev' });
    button.click();
    await waitFor(() => expect(screen.getByLabelText('verdict')).toHaveTextContent('Healthy'));
    expect(signInToAks).toHaveBeenCalledTimes(1);
    expect(getVerdict).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('button', { name: /Sign in with Microsoft/ })).not.toBeInTheDocument();
  });

  it('shows an error panel when the backend fails, and asks again on "Try again"', async () => {
    const getVerdict = jest
      .fn()
      .mockImplementationOnce(async () => Promise.reject(await responseError(500, 'kaboom')))
      .mockImplementationOnce(async () => ({
        entityRef,
        generatedAt,
        environments: [],
        failures: [],
        verdict: { state: 'Healthy' as const, reasons: [] },
      }));
    await render(<HealthVerdictCard />, api({ getVerdict }));
    expect(await screen.findByText('The health service could not answer')).toBeInTheDocument();
    expect(screen.getByText(/It said: kaboom/)).toBeInTheDocument();
    // No raw HTTP status reaches the page.
    expect(screen.queryByText(/500|Internal Server Error|Request failed/)).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByLabelText('verdict')).toHaveTextContent('Healthy'));
    expect(getVerdict).toHaveBeenCalledTimes(2);
  });

  it('groups reasons by environment in promotion order, shows each environment, and folds out long messages whole', async () => {
    const long = `ComparisonError: ${'rpc error: code = Unknown desc = kustomize build failed '.repeat(6)}THE-END`;
    await render(
      <HealthVerdictCard />,
      api({
        getVerdict: async () => ({
          entityRef,
          generatedAt,
          failures: [],
          environments: [
            { environment: 'dev', cluster: 'aks-dev', state: 'Healthy' },
            { environment: 'staging', cluster: 'aks-staging', state: 'Degraded' },
            { environment: 'prod', cluster: 'aks-prod', state: 'Unknown' },
          ],
          verdict: {
            state: 'Degraded',
            reasons: [
              { state: 'Degraded', environment: 'staging', source: 'ArgoCD Application orders-api-staging', message: long },
              { state: 'Unknown', environment: 'prod', source: 'Kubernetes cluster aks-prod', message: 'Kubernetes cluster aks-prod (prod) did not answer within 5000 ms' },
              { state: 'Healthy', environment: 'dev', source: 'Kubernetes pods', message: '2 of 2 pods ready' },
            ],
          },
        }),
      }),
    );
    await screen.findByLabelText('verdict');
    const groups = screen.getAllByRole('group').map(g => g.getAttribute('aria-label'));
    expect(groups).toEqual(['dev', 'staging', 'prod']);
    expect(screen.getByLabelText('environments')).toHaveTextContent(/dev.*Healthy.*staging.*Degraded.*prod.*Unknown/);
    // The subject is said once, in bold, not again at the start of the message.
    expect(screen.getByText('Did not answer within 5000 ms')).toBeInTheDocument();
    expect(screen.queryByText(/THE-END/)).not.toBeInTheDocument();
    screen.getByRole('button', { name: 'Show all' }).click();
    expect(await screen.findByText(/THE-END/)).toBeInTheDocument();
  });

  it('says how old a stale answer is and that a fresh read is under way', async () => {
    await render(
      <HealthVerdictCard />,
      api({
        getVerdict: async () => ({
          entityRef,
          generatedAt: new Date(Date.now() - 120_000).toISOString(),
          stale: true,
          failures: [],
          environments: [],
          verdict: { state: 'Healthy', reasons: [] },
        }),
      }),
    );
    expect(await screen.findByTestId('health-age')).toHaveTextContent(
      'Read 2 min ago; a fresh read is under way.',
    );
  });

  it('shows nothing about an entity the user may not read', async () => {
    await render(
      <HealthVerdictCard />,
      api({ getVerdict: async () => Promise.reject(await responseError(404, 'no entity')) }),
    );
    expect(await screen.findByText('Nothing to show')).toBeInTheDocument();
    expect(screen.queryByText(/Healthy|Degraded/)).not.toBeInTheDocument();
  });

  it('explains the annotation when the entity has none, without calling the backend', async () => {
    const getVerdict = jest.fn();
    await render(
      <HealthVerdictCard />,
      api({ getVerdict }),
      { ...entity, metadata: { name: 'orders-api' } },
    );
    expect((await screen.findAllByText(/backstage.io\/kubernetes-id/)).length).toBeGreaterThan(0);
    expect(getVerdict).not.toHaveBeenCalled();
  });
});

describe('EnvironmentsCard', () => {
  it('shows one row per environment with ArgoCD, pods and restarts', async () => {
    await render(
      <EnvironmentsCard />,
      api({
        getEnvironments: async () => ({
          entityRef,
          generatedAt,
          failures: [],
          environments: [
            {
              environment: 'staging',
              cluster: 'aks-staging',
              application: {
                name: 'orders-api-staging',
                syncStatus: 'OutOfSync',
                healthStatus: 'Degraded',
                revision: '3f9a1c2b7d',
                url: 'https://argocd.staging/applications/orders-api-staging',
                commitUrl: 'https://github.com/contoso/gitops/commit/3f9a1c2b7d',
              },
              imageTags: ['1a2b3c'],
              images: ['contoso.azurecr.io/orders-api:1a2b3c'],
              failures: [],
              pods: { ready: 1, total: 2, restarts: 38 },
              verdict: { state: 'Degraded', reasons: [] },
            },
          ],
        }),
      }),
    );
    expect(await screen.findByText('aks-staging')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /OutOfSync/ })).toHaveAttribute(
      'href',
      'https://argocd.staging/applications/orders-api-staging',
    );
    expect(screen.getByRole('link', { name: /3f9a1c2/ })).toBeInTheDocument();
    expect(screen.getByText('1/2 ready')).toBeInTheDocument();
    expect(screen.getByText('38 restarts')).toBeInTheDocument();
  });

  it('says so when nothing runs yet', async () => {
    await render(
      <EnvironmentsCard />,
      api({ getEnvironments: async () => ({ entityRef, generatedAt, failures: [], environments: [] }) }),
    );
    expect(await screen.findByText('No environment runs this component yet.')).toBeInTheDocument();
  });
});

// A Resource as gitops:resource:publish writes it: its component's kubernetes-id.
const ordersDb: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'orders-db',
    annotations: {
      'backstage.io/kubernetes-id': 'orders-api',
      'idp-portal/crossplane-kind': 'Database',
    },
  },
  spec: { type: 'database', owner: 'group:default/payments-team', dependencyOf: ['component:default/orders-api'] },
};

describe('which entities get which card', () => {
  it('gives health and environments to deployed components only, never to a Resource', () => {
    expect(isWorkloadHealthAvailable(entity)).toBe(true);
    expect(isWorkloadHealthAvailable({ ...entity, spec: { ...entity.spec, type: 'website' } })).toBe(true);
    expect(isWorkloadHealthAvailable(ordersDb)).toBe(false);
    expect(isWorkloadHealthAvailable({ ...entity, metadata: { name: 'orders-api' } })).toBe(false);
  });

  it('gives cloud resources to deployed components and to Resources under a kubernetes-id', () => {
    expect(isCloudResourcesAvailable(entity)).toBe(true);
    expect(isCloudResourcesAvailable(ordersDb)).toBe(true);
    // The example catalog's payments-db names no kubernetes-id: no card that could only fail.
    expect(isCloudResourcesAvailable({ ...ordersDb, metadata: { name: 'payments-db' } })).toBe(false);
    expect(isCloudResourcesAvailable({ ...ordersDb, kind: 'System' })).toBe(false);
  });
});

describe('CloudResourcesCard', () => {
  const row = (kind: string, name: string, environment: string): ResourceRow => ({
    kind,
    name,
    environment,
    cluster: `aks-${environment}`,
    ready: 'True',
    synced: 'True',
    messages: [],
    verdict: { state: 'Healthy', reasons: [] },
  });

  it("on a Resource's page shows that resource in each environment, not its component's others", async () => {
    const getResources = jest.fn(async () => ({
      entityRef: 'resource:default/orders-db',
      generatedAt,
      failures: [],
      resources: [row('Database', 'orders-db', 'dev'), row('Cache', 'orders-cache', 'dev'), row('Database', 'orders-db', 'prod')],
    }));
    await render(<CloudResourcesCard />, api({ getResources }), ordersDb);
    const list = await screen.findByRole('list', { name: 'cloud resources' });
    expect(list.querySelectorAll('li')).toHaveLength(2);
    expect(screen.getAllByText('Database orders-db')).toHaveLength(2);
    expect(screen.queryByText(/orders-cache/)).not.toBeInTheDocument();
    expect(getResources).toHaveBeenCalledWith({ kind: 'Resource', namespace: 'default', name: 'orders-db' });
  });

  it('says so when no cluster has the Resource yet', async () => {
    await render(
      <CloudResourcesCard />,
      api({
        getResources: async () => ({
          entityRef: 'resource:default/orders-db',
          generatedAt,
          failures: [],
          resources: [row('Cache', 'orders-cache', 'dev')],
        }),
      }),
      ordersDb,
    );
    expect(
      await screen.findByText('No cluster has a Crossplane resource named orders-db yet.'),
    ).toBeInTheDocument();
  });

  it('explains a failed Synced condition and a missing connection secret', async () => {
    await render(
      <CloudResourcesCard />,
      api({
        getResources: async () => ({
          entityRef,
          generatedAt,
          failures: [],
          resources: [
            {
              kind: 'Database',
              name: 'orders-db',
              environment: 'prod',
              cluster: 'aks-prod',
              ready: 'False',
              synced: 'False',
              messages: [
                {
                  type: 'Synced',
                  status: 'False',
                  reason: 'ReconcileError',
                  message: 'AuthorizationFailed',
                  explanation: 'Crossplane could not apply the resource to Azure.',
                },
              ],
              connectionSecret: { name: 'orders-db-connection', exists: false },
              verdict: { state: 'Degraded', reasons: [] },
            },
          ],
        }),
      }),
    );
    await waitFor(() => expect(screen.getByText('Database orders-db')).toBeInTheDocument());
    expect(screen.getByText('Ready False · Synced False')).toBeInTheDocument();
    expect(screen.getByText(/^Synced \(ReconcileError\)/)).toHaveTextContent(/^Synced \(ReconcileError\): AuthorizationFailed/);
    expect(screen.getByText('Crossplane could not apply the resource to Azure.')).toBeInTheDocument();
    expect(screen.getByText('secret orders-db-connection missing')).toBeInTheDocument();
  });
});

import { Entity } from '@backstage/catalog-model';
import { entityRouteRef, EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type {
  ComponentGuardrails,
  GuardrailsReport,
  ScanInfo,
} from '@internal/plugin-guardrails-common';
import { screen, within } from '@testing-library/react';
import { GuardrailsApi, guardrailsApiRef } from '../api';
import { GuardrailsCard } from './GuardrailsCard';
import { GuardrailsPage } from './GuardrailsPage';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', annotations: { 'backstage.io/kubernetes-id': 'shop' } },
  spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
};

const scan: ScanInfo = {
  repoUrl: 'http://localhost:7007/api/git-host/gitops.git',
  branch: 'main',
  commit: '0123456789abcdef',
  scannedAt: '2026-12-02T12:00:00Z',
  services: 1,
};

const shop: ComponentGuardrails = {
  entityRef: 'component:default/shop',
  service: 'shop',
  environments: ['dev', 'prod'],
  counts: { passed: 40, failed: 1, exempted: 1, 'not-checked': 0 },
  findings: [
    {
      environment: 'dev',
      status: 'exempted',
      rule: 'guardrails-probes[0]',
      policy: 'guardrails-probes',
      title: 'Containers declare liveness and readiness probes',
      actions: ['Deny'],
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'shop' },
      message: 'The batch job has no HTTP endpoint to probe yet',
    },
    {
      environment: 'prod',
      status: 'failed',
      rule: 'guardrails-image-tag-not-latest[0]',
      policy: 'guardrails-image-tag-not-latest',
      title: 'Images are pinned to a tag or digest, never :latest',
      actions: ['Deny'],
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'shop' },
      message: 'container shop uses :latest; pin a tag',
    },
  ],
};

const report: GuardrailsReport = {
  scan,
  components: [shop],
  rules: [
    {
      rule: 'guardrails-probes[0]',
      policy: 'guardrails-probes',
      validation: 0,
      title: 'Containers declare liveness and readiness probes',
      message: 'Every container sets a livenessProbe and a readinessProbe.',
      actions: ['Deny'],
      environments: 'all',
      exemptable: true,
      counts: { passed: 3, failed: 0, exempted: 1, 'not-checked': 0 },
      failingComponents: 0,
      exemptedComponents: 1,
      exemptionRate: 0.25,
    },
    {
      rule: 'guardrails-prod-min-replicas[0]',
      policy: 'guardrails-prod-min-replicas',
      validation: 0,
      title: 'In prod, autoscalers keep at least 2 replicas',
      message: 'minReplicas is at least 2.',
      actions: ['Warn', 'Audit'],
      environments: ['prod'],
      exemptable: false,
      counts: { passed: 0, failed: 0, exempted: 0, 'not-checked': 0 },
      failingComponents: 0,
      exemptedComponents: 0,
      exemptionRate: null,
    },
  ],
};

const api = (overrides: Partial<GuardrailsApi>): GuardrailsApi => ({
  getReport: async () => report,
  getEntityGuardrails: async () => ({ scan, component: shop }),
  ...overrides,
});

const render = (ui: JSX.Element, guardrailsApi: GuardrailsApi) =>
  renderInTestApp(
    <TestApiProvider apis={[[guardrailsApiRef, guardrailsApi]]}>
      <EntityProvider entity={entity}>{ui}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );

describe('GuardrailsCard', () => {
  it("shows the component's broken and exempted rules with what to change and the justification", async () => {
    await render(<GuardrailsCard />, api({}));
    expect(await screen.findByLabelText('guardrails summary')).toHaveTextContent(
      '1 rule is broken in dev, prod. 1 rule is exempted.',
    );
    const failed = screen.getByLabelText('failed guardrails-image-tag-not-latest[0]');
    expect(failed).toHaveTextContent('Breaks');
    expect(failed).toHaveTextContent('Deployment shop/shop: container shop uses :latest; pin a tag');
    expect(screen.getByLabelText('exempted guardrails-probes')).toHaveTextContent(
      'Deployment shop/shop in dev: “The batch job has no HTTP endpoint to probe yet”',
    );
    expect(screen.getByLabelText('scan')).toHaveTextContent('main at 0123456');
  });

  it('says when the GitOps repository has nothing for the component', async () => {
    await render(<GuardrailsCard />, api({ getEntityGuardrails: async () => ({ scan }) }));
    expect(await screen.findByText(/has no overlays for this component/)).toBeInTheDocument();
  });

  it('says when the last scan failed', async () => {
    await render(
      <GuardrailsCard />,
      api({
        getEntityGuardrails: async () => ({
          scan: { ...scan, error: 'The GitOps repository could not be read (401)' },
          component: shop,
        }),
      }),
    );
    expect(await screen.findByText(/The last scan failed/)).toBeInTheDocument();
  });
});

describe('GuardrailsPage', () => {
  it('lists each rule with its environments, enforcement and exemption rate', async () => {
    await render(<GuardrailsPage />, api({}));
    const probes = await screen.findByRole('row', { name: 'guardrails-probes[0]' });
    expect(probes).toHaveTextContent('Containers declare liveness and readiness probes');
    expect(probes).toHaveTextContent('all');
    expect(probes).toHaveTextContent('Deny');
    expect(within(probes).getByLabelText('exemption rate')).toHaveTextContent('25%');
    const replicas = screen.getByRole('row', { name: 'guardrails-prod-min-replicas[0]' });
    expect(replicas).toHaveTextContent('prod');
    expect(replicas).toHaveTextContent('Warn, Audit');
    expect(within(replicas).getByLabelText('exemption rate')).toHaveTextContent('—');
    expect(screen.getByText('Rules (2)')).toBeInTheDocument();
  });

  it('lists the components that break or are exempted from a rule', async () => {
    await render(<GuardrailsPage />, api({}));
    const row = await screen.findByRole('row', { name: 'component:default/shop' });
    expect(row).toHaveTextContent('container shop uses :latest');
    expect(screen.getByText(/1 of 1 components break or are exempted/)).toBeInTheDocument();
  });
});

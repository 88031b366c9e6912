import { Entity } from '@backstage/catalog-model';
import { entityRouteRef, EntityProvider } from '@backstage/plugin-catalog-react';
import { scaffolderApiRef } from '@backstage/plugin-scaffolder-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { DeploymentsResponse } from '@internal/plugin-gitops-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { deploymentsApiRef } from '../api';
import { DeploymentsCard } from './DeploymentsCard';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', annotations: { 'backstage.io/kubernetes-id': 'shop' } },
  spec: { type: 'service', owner: 'group:default/storefront-team', lifecycle: 'production' },
};

const change = (sha: string, author: string) => ({ sha, author, at: '2026-12-02T12:00:00Z', subject: 'x', url: `https://git/commit/${sha}` });

const view: DeploymentsResponse = {
  component: 'shop',
  environments: [
    {
      environment: 'dev',
      pullRequest: false,
      git: { image: 'contoso.azurecr.io/shop:1.2.0', version: '1.2.0', lastChange: change('a'.repeat(40), 'ci-bot'), earlier: [] },
      cluster: { syncStatus: 'Synced', healthStatus: 'Degraded', revision: 'a'.repeat(40), imageTags: ['1.2.0'] },
      agreement: 'synced',
      explanation: 'Runs 1.2.0, synced at aaaaaaa, Degraded.',
      promotesTo: 'staging',
    },
    {
      environment: 'staging',
      pullRequest: false,
      git: {
        image: 'contoso.azurecr.io/shop:1.1.0',
        version: '1.1.0',
        lastChange: change('b'.repeat(40), 'Guest'),
        earlier: [{ version: '1.0.0', image: 'contoso.azurecr.io/shop:1.0.0', change: change('c'.repeat(40), 'Guest') }],
      },
      agreement: 'pending',
      explanation: 'Committed 1.1.0 in bbbbbbb by Guest; ArgoCD is still at ccccccc (Synced).',
      promotesTo: 'prod',
    },
    { environment: 'prod', pullRequest: true, agreement: 'unknown', explanation: 'Not deployed to prod.' },
  ],
  previews: [
    { preview: 'pr-7', namespace: 'shop--pr-7', environment: 'dev', version: 'pr-7-abc', expiresAt: '2026-12-03T12:00:00Z', owner: 'group:default/storefront-team' },
  ],
};

async function render(scaffold = jest.fn(async () => ({ taskId: 'task-1' }))) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [deploymentsApiRef, { getDeployments: async () => view }],
        [scaffolderApiRef, { scaffold } as any],
      ]}
    >
      <EntityProvider entity={entity}>
        <DeploymentsCard />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  return scaffold;
}

describe('DeploymentsCard', () => {
  it('shows each environment with its image, last change, ArgoCD state and agreement', async () => {
    await render();
    const staging = await screen.findByRole('row', { name: 'staging' });
    expect(staging).toHaveTextContent('1.1.0');
    expect(staging).toHaveTextContent('Waiting for ArgoCD');
    expect(staging).toHaveTextContent('Committed 1.1.0 in bbbbbbb by Guest');
    expect(screen.getByRole('row', { name: 'prod' })).toHaveTextContent('by pull request');
    expect(screen.getByRole('row', { name: 'shop--pr-7' })).toHaveTextContent('pr-7-abc');
  });

  it('asks why before promoting a source that is not healthy, and runs the template with it', async () => {
    const scaffold = await render();
    const dev = await screen.findByRole('row', { name: 'dev' });
    fireEvent.click(within(dev).getByRole('button', { name: 'Promote to staging' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('diff')).toHaveTextContent(
      'apps/shop/overlays/staging/kustomization.yaml - contoso.azurecr.io/shop:1.1.0 + contoso.azurecr.io/shop:1.2.0',
    );
    expect(dialog).toHaveTextContent('dev is not Synced and Healthy at 1.2.0');
    fireEvent.change(within(dialog).getByLabelText('Justification'), {
      target: { value: 'The degraded pod is the canary, known and tracked.' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Promote' }));
    await waitFor(() => expect(scaffold).toHaveBeenCalled());
    expect(scaffold).toHaveBeenCalledWith({
      templateRef: 'template:default/promote-service',
      values: {
        component: 'component:default/shop',
        from: 'dev',
        justification: 'The degraded pod is the canary, known and tracked.',
      },
    });
  });

  it('offers the earlier images of an environment for a rollback', async () => {
    await render();
    const staging = await screen.findByRole('row', { name: 'staging' });
    fireEvent.click(within(staging).getByRole('button', { name: 'Roll back' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('diff')).toHaveTextContent('- contoso.azurecr.io/shop:1.1.0 + contoso.azurecr.io/shop:1.0.0');
  });
});

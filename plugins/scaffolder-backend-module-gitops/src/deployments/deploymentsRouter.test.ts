import { mockCredentials, mockErrorHandler, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { DeploymentsResponse } from '@internal/plugin-gitops-common';
import type { EnvironmentRow } from '@internal/plugin-health-common';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { testAccessSettings, testOrg } from '@internal/test-fakes/access';
import { cloneRepo, commitFiles, headOf, startGitServer } from '@internal/test-fakes/git';
import express from 'express';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'path';
import { parse, stringify } from 'yaml';
import { accessChecks } from '../access/accessChecks';
import { createServicePublishAction } from '../actions/service';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createDeploymentsRouter } from './deploymentsRouter';

jest.setTimeout(60_000);

const ordersApi = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', annotations: { 'backstage.io/kubernetes-id': 'orders-api' } },
  spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
};

const row = (environment: string, revision: string, imageTags: string[], sync = 'Synced'): EnvironmentRow => ({
  environment,
  cluster: `aks-${environment}`,
  application: { name: `orders-api-${environment}`, syncStatus: sync, healthStatus: 'Healthy', revision, syncedAt: '2026-12-02T10:00:00Z' },
  imageTags,
  images: imageTags.map(t => `contoso.azurecr.io/orders-api:${t}`),
  pods: { ready: 2, total: 2, restarts: 0 },
  verdict: { state: 'Healthy', reasons: [] },
  failures: [],
});

describe('the deployments view, against a real Git host', () => {
  let git: Awaited<ReturnType<typeof startGitServer>>;
  let health: Server;
  let server: Server;
  let rows: EnvironmentRow[] = [];

  beforeAll(async () => {
    git = await startGitServer(gitHostPlugin);
    const healthApp = express();
    healthApp.get('/api/health/v1/entities/component/default/orders-api/environments', (_req, res) => {
      res.json({ environments: rows });
    });
    health = healthApp.listen(0);
    const healthBase = `http://127.0.0.1:${(health.address() as AddressInfo).port}/api`;
    const config = new ConfigReader({ gitops: { repoUrl: git.gitopsUrl } });
    const catalog = catalogServiceMock({ entities: [...testOrg, ordersApi] });
    const publish = createServicePublishAction({
      config,
      integrations: ScmIntegrations.fromConfig(config),
      validator: ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas')),
      ...accessChecks({ catalog, auth: mockServices.auth(), settings: testAccessSettings() }),
      auth: mockServices.auth(),
    });
    await publish.handler(
      createMockActionContext({
        input: { name: 'orders-api', owner: 'group:default/payments-team' } as any,
        user: { ref: 'user:default/priya.raman' },
      }),
    );
    const app = express();
    app.use(
      await createDeploymentsRouter({
        config,
        integrations: ScmIntegrations.fromConfig(config),
        httpAuth: mockServices.httpAuth(),
        catalog,
        discovery: { getBaseUrl: async id => `${healthBase}/${id}`, getExternalBaseUrl: async id => `${healthBase}/${id}` },
        auth: mockServices.auth(),
      }),
    );
    app.use(mockErrorHandler());
    server = app.listen(0);
  });
  afterAll(async () => {
    server?.close();
    health?.close();
    await git?.stop();
  });

  const view = async (): Promise<DeploymentsResponse> => {
    const res = await fetch(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/gitops/v1/deployments/component/default/orders-api`,
      { headers: { Authorization: mockCredentials.user.header('user:default/olu.member') } },
    );
    expect(res.status).toBe(200);
    return res.json();
  };

  it("shows each environment's image in Git, who changed it, and whether ArgoCD has synced it", async () => {
    const created = await headOf(git.gitopsUrl);
    const repo = await cloneRepo(git.gitopsUrl);
    const k = parse(await repo.read('apps/orders-api/overlays/dev/kustomization.yaml'));
    await repo.cleanup();
    k.images[0].newTag = '1.1.0';
    const ci = await commitFiles(
      git.gitopsUrl,
      { 'apps/orders-api/overlays/dev/kustomization.yaml': stringify(k) },
      'CI: orders-api 1.1.0 to dev',
      { name: 'ci-bot', email: 'ci@contoso.example' },
    );
    rows = [
      row('dev', ci, ['1.1.0']),
      // staging synced long ago, at the creation, and runs what Git says.
      row('staging', created, ['latest']),
    ];
    let body = await view();
    const [dev, staging, prod] = body.environments;
    expect(dev).toMatchObject({
      environment: 'dev',
      agreement: 'synced',
      promotesTo: 'staging',
      git: { version: '1.1.0', image: 'contoso.azurecr.io/orders-api:1.1.0', lastChange: { sha: ci, author: 'ci-bot' } },
      cluster: { syncStatus: 'Synced', revision: ci, syncedAt: '2026-12-02T10:00:00Z' },
    });
    expect(dev.git!.earlier.map(e => e.version)).toEqual(['latest']);
    expect(staging).toMatchObject({ agreement: 'synced', git: { version: 'latest' } });
    expect(prod).toMatchObject({ agreement: 'unknown', explanation: 'Git has latest; the cluster of prod did not say what it runs.' });
    expect(prod.promotesTo).toBeUndefined();

    // The next build is committed, and ArgoCD has not caught up yet: said, not hidden.
    k.images[0].newTag = '1.2.0';
    const next = await commitFiles(git.gitopsUrl, { 'apps/orders-api/overlays/dev/kustomization.yaml': stringify(k) }, 'CI: 1.2.0');
    body = await view();
    expect(body.environments[0]).toMatchObject({ agreement: 'pending', git: { version: '1.2.0', lastChange: { sha: next } } });
    expect(body.environments[0].explanation).toBe(
      `Committed 1.2.0 in ${next.slice(0, 7)} by Outside Editor; ArgoCD is still at ${ci.slice(0, 7)} (Synced).`,
    );
    // Synced, but the pods are still on the old image.
    rows = [row('dev', next, ['1.1.0'])];
    body = await view();
    expect(body.environments[0]).toMatchObject({
      agreement: 'rolling-out',
      explanation: 'ArgoCD has synced 1.2.0; the pods run 1.1.0.',
    });
  });

  it('answers 404 for a component the caller cannot read, as for a missing one, and writes nothing', async () => {
    const head = await headOf(git.gitopsUrl);
    const port = (server.address() as AddressInfo).port;
    for (const route of ['deployments', 'timeline']) {
      const res = await fetch(`http://127.0.0.1:${port}/gitops/v1/${route}/component/default/secret-ledger`, {
        headers: { Authorization: mockCredentials.user.header('user:default/olu.member') },
      });
      expect(res.status).toBe(404);
    }
    expect(await headOf(git.gitopsUrl)).toBe(head);
  });

  it('says why the cluster side is missing when the health service cannot answer', async () => {
    health.close();
    const body = await view();
    expect(body.clusterError).toMatch(/the health service could not be asked/);
    expect(body.environments[0].git?.version).toBe('1.2.0');
  });
});

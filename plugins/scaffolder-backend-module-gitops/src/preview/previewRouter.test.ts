import { mockCredentials, mockErrorHandler, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { ServicePreview } from '@internal/plugin-guardrails-common';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { testOrgAccess } from '@internal/test-fakes/access';
import { headOf, startGitServer } from '@internal/test-fakes/git';
import express from 'express';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'path';
import { accessChecks } from '../access/accessChecks';
import { createServicePublishAction } from '../actions/service';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createPreviewRouter } from './previewRouter';

jest.setTimeout(30_000);

const validator = ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas'));
const PRIYA = 'user:default/priya.raman';
const OUTSIDER = 'user:default/ana.storefront';

describe('the review preview, against a real Git host', () => {
  let git: Awaited<ReturnType<typeof startGitServer>>;
  let server: Server;
  let deps: any;

  beforeAll(async () => {
    git = await startGitServer(gitHostPlugin);
    const config = new ConfigReader({ gitops: { repoUrl: git.gitopsUrl } });
    deps = {
      config,
      integrations: ScmIntegrations.fromConfig(config),
      validator,
      ...accessChecks(testOrgAccess()),
      auth: mockServices.auth(),
    };
    const app = express();
    app.use(
      await createPreviewRouter({
        ...deps,
        httpAuth: mockServices.httpAuth({ defaultCredentials: mockCredentials.user(PRIYA) }),
        logger: mockServices.logger.mock(),
      }),
    );
    app.use(mockErrorHandler());
    server = app.listen(0);
  }, 60_000);
  afterAll(async () => {
    server?.close();
    await git?.stop();
  });

  const preview = (body: object, user = PRIYA) =>
    fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/gitops/v1/service-preview`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: mockCredentials.user.header(user),
      },
      body: JSON.stringify(body),
    });

  const shop = { name: 'shop', owner: 'group:default/payments-team', type: 'http', exemptions: [] };

  it('shows every file the golden path would add and every rule passing, and writes nothing', async () => {
    const head = await headOf(git.gitopsUrl);
    const res = await preview(shop);
    expect(res.status).toBe(200);
    const body: ServicePreview = await res.json();
    expect(body.refusal).toBeUndefined();
    expect(body.files.map(f => f.path)).toEqual(
      expect.arrayContaining([
        'apps/shop/base/deployment.yaml',
        'apps/shop/overlays/prod/kustomization.yaml',
        'argocd/applications/dev/shop.yaml',
        'argocd/projects/payments-team.yaml',
      ]),
    );
    expect(body.files.every(f => f.change === 'added')).toBe(true);
    expect(body.files.find(f => f.path === 'apps/shop/base/deployment.yaml')!.content).toMatch(
      /^apiVersion: apps\/v1\nkind: Deployment/,
    );
    expect(body.results.filter(r => r.status === 'failed' && r.actions.includes('Deny'))).toEqual([]);
    expect(body.results.filter(r => r.status === 'passed').length).toBeGreaterThan(50);
    expect(await headOf(git.gitopsUrl)).toBe(head);
  });

  it('shows an exemption with its justification', async () => {
    const justification = 'The batch endpoints have no HTTP probe until 2027.';
    const body: ServicePreview = await (
      await preview({ ...shop, exemptions: [{ policy: 'guardrails-probes', justification }] })
    ).json();
    const probes = body.results.filter(r => r.policy === 'guardrails-probes');
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every(r => r.status === 'exempted' && r.message === justification)).toBe(true);
  });

  it('says what the check step would refuse, naming the rule, before anything is created', async () => {
    const body: ServicePreview = await (
      await preview({ ...shop, resources: [{ kind: 'Database', name: 'shop-db', size: 'large' }] })
    ).json();
    expect(body.refusal).toMatch(/guardrails-crossplane-sizes/);
    expect(body.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ policy: 'guardrails-crossplane-sizes', status: 'failed' }),
      ]),
    );
  });

  it('marks the files already committed exactly so as unchanged, and says which the request would overwrite', async () => {
    const publish = createServicePublishAction(deps);
    await publish.handler(
      createMockActionContext({
        input: { name: 'ledger', owner: 'group:default/payments-team', type: 'http' } as any,
        user: { ref: PRIYA },
        task: { id: 'task-1' },
      }),
    );
    const body: ServicePreview = await (
      await preview({ ...shop, name: 'ledger' })
    ).json();
    expect(body.files.map(f => f.change)).toEqual(body.files.map(() => 'unchanged'));
    // The publish step would refuse to overwrite them, so the review says so first.
    const port = await preview({ ...shop, name: 'ledger', port: 9090 });
    expect(port.status).toBe(409);
    expect((await port.json()).error.message).toMatch(
      /^apps\/ledger\/base\/deployment\.yaml in .* already holds other content than this request writes/,
    );
  });

  it('refuses what the check step refuses: a user outside the owning team, a half-filled form', async () => {
    const outsider = await preview(shop, OUTSIDER);
    expect(outsider.status).toBe(403);
    expect((await outsider.json()).error.message).toMatch(/payments-team/);
    const incomplete = await preview({ owner: 'group:default/payments-team' });
    expect(incomplete.status).toBe(400);
    expect((await incomplete.json()).error.message).toMatch(/^The form is not complete yet: name/);
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { testAccessSettings, testOrg } from '@internal/test-fakes/access';
import { cloneRepo, commitFiles, headOf, startFakeForge, startGitServer } from '@internal/test-fakes/git';
import fs from 'fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import os from 'os';
import path from 'path';
import { parse, stringify } from 'yaml';
import { accessChecks } from '../access/accessChecks';
import { SourceHealthCheck } from '../deployments/sourceHealth';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createPromoteAction, createRollbackAction } from './deploy';
import { createServicePublishAction } from './service';

// Real Git pushes over HTTP: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(60_000);

const validator = ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas'));
const outputs = (ctx: any) => Object.fromEntries((ctx.output as jest.Mock).mock.calls);
const PRIYA = { ref: 'user:default/priya.raman' };
const OLU = { ref: 'user:default/olu.member' }; // payments-team, not a platform admin
const ANA = { ref: 'user:default/ana.storefront' }; // storefront-team only

const ordersApi = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', annotations: { 'backstage.io/kubernetes-id': 'orders-api' } },
  spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
};

const overlay = (env: string) => `apps/orders-api/overlays/${env}/kustomization.yaml`;

describe('promote and roll back, against a real Git host and a GitHub-shaped forge', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  let forge: Awaited<ReturnType<typeof startFakeForge>>;
  let repoUrl: string;
  let health: jest.MockedFunction<SourceHealthCheck>;
  let direct: ReturnType<typeof actionsFor>;
  let reviewed: ReturnType<typeof actionsFor>;

  function actionsFor(prodByPullRequest: boolean) {
    const config = new ConfigReader({
      integrations: { github: [{ host: forge.host, apiBaseUrl: `http://${forge.host}/api/v3`, token: 'ghp-test' }] },
      gitops: {
        repoUrl,
        environments: [
          { name: 'dev', cluster: 'aks-dev' },
          { name: 'staging', cluster: 'aks-staging' },
          { name: 'prod', cluster: 'aks-prod', pullRequest: prodByPullRequest },
        ],
      },
    });
    const deps = {
      config,
      integrations: ScmIntegrations.fromConfig(config),
      validator,
      ...accessChecks({
        catalog: catalogServiceMock({ entities: [...testOrg, ordersApi] }),
        auth: mockServices.auth(),
        settings: testAccessSettings(),
      }),
      auth: mockServices.auth(),
      sourceHealth: health,
    };
    return {
      publish: createServicePublishAction(deps),
      promote: createPromoteAction(deps),
      rollback: createRollbackAction(deps),
    };
  }

  const ctx = (input: object, user = OLU, id = 'task-1') =>
    createMockActionContext({ input: input as any, user, task: { id } });

  /** What CI does after a build: set the dev overlay's tag, in a commit of its own. */
  async function ciDeploysToDev(tag: string) {
    const repo = await cloneRepo(server.gitopsUrl);
    const k = parse(await repo.read(overlay('dev')));
    await repo.cleanup();
    k.images[0].newTag = tag;
    await commitFiles(server.gitopsUrl, { [overlay('dev')]: stringify(k) }, `CI: orders-api ${tag} to dev`);
  }

  async function tagIn(env: string, url = server.gitopsUrl) {
    const repo = await cloneRepo(url);
    try {
      return parse(await repo.read(overlay(env))).images[0].newTag;
    } finally {
      await repo.cleanup();
    }
  }

  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
    forge = await startFakeForge(server.baseUrl);
    repoUrl = `http://${forge.host}/contoso/gitops.git`;
    health = jest.fn<ReturnType<SourceHealthCheck>, Parameters<SourceHealthCheck>>(async (_c, env, version) => ({
      ready: true,
      reason: `${env} runs ${version}, Synced and Healthy`,
    }));
    direct = actionsFor(false);
    reviewed = actionsFor(true);
    await direct.publish.handler(ctx({ name: 'orders-api', owner: 'group:default/payments-team' }, PRIYA, 'create'));
    await ciDeploysToDev('1.1.0');
  });
  afterAll(async () => {
    await forge?.stop();
    await server?.stop();
  });

  it('promotes dev to staging as a commit by the user, naming the source and the image', async () => {
    const run = ctx({ component: 'orders-api', from: 'dev' });
    await direct.promote.handler(run);
    const out = outputs(run);
    expect(out).toMatchObject({ changed: true, image: 'contoso.azurecr.io/orders-api:1.1.0', pullRequestUrl: '' });
    expect(health).toHaveBeenCalledWith('orders-api', 'dev', '1.1.0', expect.anything());
    expect(await tagIn('staging')).toBe('1.1.0');
    expect(await tagIn('prod')).toBe('latest');
    const repo = await cloneRepo(server.gitopsUrl);
    const [commit] = repo.log;
    await repo.cleanup();
    expect(commit.oid).toBe(out.commitSha);
    expect(commit.commit.author.name).toBe('olu.member');
    expect(commit.commit.message).toMatch(/^Promote orders-api 1\.1\.0 from dev to staging\n/);
    expect(commit.commit.message).toContain('Promoted-From: dev');
    expect(commit.commit.message).toContain('Image: contoso.azurecr.io/orders-api:1.1.0');
    expect(commit.commit.message).toContain('Replaces: contoso.azurecr.io/orders-api:latest');
    expect(commit.commit.message).toContain('Requested-by: user:default/olu.member');
  });

  it('says a repeated promotion has nothing to do, and commits nothing', async () => {
    const head = await headOf(server.gitopsUrl);
    const again = ctx({ component: 'orders-api', from: 'dev', to: 'staging' });
    await direct.promote.handler(again);
    expect(outputs(again)).toMatchObject({ changed: false, commitSha: '' });
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses to promote a source that is not Synced and Healthy at that image, unless the user says why', async () => {
    await ciDeploysToDev('1.2.0');
    const head = await headOf(server.gitopsUrl);
    health.mockResolvedValueOnce({ ready: false, reason: 'orders-api in dev is Synced and Degraded in ArgoCD' });
    await expect(
      direct.promote.handler(ctx({ component: 'orders-api', from: 'dev' })),
    ).rejects.toThrow(/dev is not ready to promote: orders-api in dev is Synced and Degraded in ArgoCD\. .*give a justification/);
    expect(await headOf(server.gitopsUrl)).toBe(head);

    health.mockResolvedValueOnce({ ready: false, reason: 'orders-api in dev is Synced and Degraded in ArgoCD' });
    const justification = 'The degraded pod is the known canary crash, fixed in 1.2.0 itself.';
    const run = ctx({ component: 'orders-api', from: 'dev', justification });
    await direct.promote.handler(run);
    expect(await tagIn('staging')).toBe('1.2.0');
    const repo = await cloneRepo(server.gitopsUrl);
    await repo.cleanup();
    expect(repo.log[0].commit.message).toContain(`Promotion-Justification: ${justification}`);
    expect(repo.log[0].commit.message).toContain('Source-Not-Ready: orders-api in dev is Synced and Degraded in ArgoCD');
  });

  it('promotes staging to prod through a pull request where prod asks for review', async () => {
    const head = await headOf(server.gitopsUrl);
    const run = ctx({ component: 'orders-api', from: 'staging' });
    await reviewed.promote.handler(run);
    const out = outputs(run);
    expect(out.pullRequestUrl).toMatch(/^https:\/\/github\.com\/contoso\/gitops\/pull\/\d+$/);
    expect(await headOf(server.gitopsUrl)).toBe(head);
    const pr = forge.pullRequests[forge.pullRequests.length - 1];
    expect(pr).toMatchObject({ base: 'main', title: 'Promote orders-api 1.2.0 from staging to prod' });
    expect(pr.body).toContain('Promoted-From: staging');
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'promote-pr-'));
    try {
      await git.clone({ fs, http, dir, url: server.gitopsUrl, ref: pr.head, singleBranch: true });
      const k = parse(await fs.promises.readFile(path.join(dir, overlay('prod')), 'utf8'));
      expect(k.images[0].newTag).toBe('1.2.0');
      const [commit] = await git.log({ fs, dir, depth: 1 });
      expect(commit.commit.author.name).toBe('olu.member');
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
    // A re-run finds the same pull request.
    const again = ctx({ component: 'orders-api', from: 'staging' }, OLU, 'task-2');
    await reviewed.promote.handler(again);
    expect(outputs(again).pullRequestUrl).toBe(out.pullRequestUrl);
  });

  it('rolls back with a new commit to the image before, never rewriting history', async () => {
    const before = await cloneRepo(server.gitopsUrl);
    await before.cleanup();
    const run = ctx({ component: 'orders-api', environment: 'staging' });
    await direct.rollback.handler(run);
    const out = outputs(run);
    expect(out).toMatchObject({ changed: true, image: 'contoso.azurecr.io/orders-api:1.1.0' });
    expect(await tagIn('staging')).toBe('1.1.0');
    const after = await cloneRepo(server.gitopsUrl);
    await after.cleanup();
    // One new commit on top of the old head: nothing was force-pushed.
    expect(after.log.length).toBe(before.log.length + 1);
    expect(after.log[0].commit.parent).toEqual([before.log[0].oid]);
    expect(after.log[0].commit.message).toMatch(/^Roll back orders-api in staging to 1\.1\.0\n/);
    expect(after.log[0].commit.message).toContain('Rolled-Back-From: contoso.azurecr.io/orders-api:1.2.0');
    expect(after.log[0].commit.message).toMatch(/Restores: [0-9a-f]{40}/);

    // Any earlier image may be chosen by its tag.
    const toLatest = ctx({ component: 'orders-api', environment: 'staging', version: '1.2.0' });
    await direct.rollback.handler(toLatest);
    expect(await tagIn('staging')).toBe('1.2.0');
  });

  it.each([
    [{ component: 'orders-api', from: 'qa' }, /There is no environment "qa"; the environments are dev, staging, prod/],
    [{ component: 'orders-api', from: 'prod' }, /prod is the last environment \(dev → staging → prod\)/],
    [{ component: 'orders-api', from: 'staging', to: 'staging' }, /staging is both the source and the target/],
    [{ component: 'orders-api', from: 'staging', to: 'dev' }, /Promotion goes forward .*roll it back instead/],
    [{ component: 'billing-api', from: 'dev' }, /component:default\/billing-api is not in the catalog .* nothing to promote/],
    [{ component: 'orders-api', from: 'dev', justification: 'because' }, /justification must say why in at least 20 characters/],
  ])('refuses %j with a clear error and commits nothing', async (input, message) => {
    const head = await headOf(server.gitopsUrl);
    await expect(direct.promote.handler(ctx(input))).rejects.toThrow(message);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses a user outside the owning team, and a rollback to an image the environment never ran', async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(direct.promote.handler(ctx({ component: 'orders-api', from: 'dev' }, ANA))).rejects.toThrow(
      /is not a member of group:default\/payments-team/,
    );
    await expect(
      direct.rollback.handler(ctx({ component: 'orders-api', environment: 'staging', version: '0.9.0' })),
    ).rejects.toThrow(/0\.9\.0 was never deployed to staging of orders-api; earlier images: 1\.1\.0, latest/);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parse } from 'yaml';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { cloneRepo, startFakeForge, startGitServer } from '@internal/test-fakes/git';
import { testOrgAccess } from '@internal/test-fakes/access';
import { accessChecks } from '../access/accessChecks';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createServicePublishAction } from './service';

// Real Git pushes over HTTP: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(30_000);

const validator = ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas'));
const outputs = (ctx: any) => Object.fromEntries((ctx.output as jest.Mock).mock.calls);
const environments = [
  { name: 'dev', cluster: 'aks-dev' },
  { name: 'prod', cluster: 'aks-prod', pullRequest: true },
];

async function cloneBranch(url: string, ref: string) {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'pr-'));
  await git.clone({ fs, http, dir, url, ref, singleBranch: true });
  return dir;
}

describe.each([
  [
    'GitHub',
    (host: string) => ({
      integrations: { github: [{ host, apiBaseUrl: `http://${host}/api/v3`, token: 'ghp-test' }] },
      repoUrl: `http://${host}/contoso/gitops.git`,
      prUrl: /^https:\/\/github\.com\/contoso\/gitops\/pull\/\d+$/,
    }),
  ],
  [
    'Azure DevOps',
    (host: string) => ({
      integrations: { azure: [{ host, credentials: [{ personalAccessToken: 'ado-pat' }] }] },
      repoUrl: `http://${host}/contoso/platform/_git/gitops`,
      prUrl: new RegExp(`^http://${host.replace('.', '\\.')}/contoso/platform/_git/gitops/pullrequest/\\d+$`),
    }),
  ],
])('prod through a pull request on %s', (_name, setup) => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  let forge: Awaited<ReturnType<typeof startFakeForge>>;
  let publish: ReturnType<typeof createServicePublishAction>;
  let s: ReturnType<typeof setup>;

  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
    forge = await startFakeForge(server.baseUrl);
    s = setup(forge.host);
    const config = new ConfigReader({
      integrations: s.integrations,
      gitops: { repoUrl: s.repoUrl, environments },
    });
    publish = createServicePublishAction({
      config,
      integrations: ScmIntegrations.fromConfig(config),
      validator,
      ...accessChecks(testOrgAccess()), auth: mockServices.auth(),
    });
  });
  afterAll(async () => {
    await forge.stop();
    await server.stop();
  });

  const ctx = (id: string) =>
    createMockActionContext({
      input: { name: 'orders-api', owner: 'group:default/payments-team' } as any,
      user: { ref: 'user:default/mei.chen' },
      task: { id },
    });

  it('pushes dev directly and opens one pull request for prod, and a re-run reuses it', async () => {
    const first = ctx('task-pr-1');
    await publish.handler(first);
    const out = outputs(first);
    expect(out.pullRequestUrls).toHaveLength(1);
    expect(out.pullRequestUrls[0]).toMatch(s.prUrl);

    const main = await cloneRepo(server.gitopsUrl);
    expect(main.exists('argocd/applications/dev/orders-api.yaml')).toBe(true);
    expect(main.exists('apps/orders-api/base/deployment.yaml')).toBe(true);
    expect(main.exists('argocd/applications/prod/orders-api.yaml')).toBe(false);
    await main.cleanup();

    expect(forge.pullRequests).toHaveLength(1);
    const [pr] = forge.pullRequests;
    expect(pr).toMatchObject({ base: 'main', title: 'Deploy orders-api to prod' });
    expect(pr.head).toMatch(/^idp\/orders-api-[0-9a-f]{10}$/);
    expect(pr.body).toContain('Task: task-pr-1');
    const branch = await cloneBranch(server.gitopsUrl, pr.head);
    const app = parse(await fs.promises.readFile(path.join(branch, 'argocd/applications/prod/orders-api.yaml'), 'utf8'));
    expect(app.spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
    const [commit] = await git.log({ fs, dir: branch, depth: 1 });
    expect(commit.commit.author.name).toBe('mei.chen');
    await fs.promises.rm(branch, { recursive: true, force: true });

    const again = ctx('task-pr-2');
    await publish.handler(again);
    expect(outputs(again).pullRequestUrls).toEqual(out.pullRequestUrls);
    expect(outputs(again).changed).toBe(false);
    expect(forge.pullRequests).toHaveLength(1);
  });
});

it('refuses pull-request mode on a host without a GitHub or Azure DevOps integration, after the direct part', async () => {
  const server = await startGitServer(gitHostPlugin);
  try {
    const config = new ConfigReader({ gitops: { repoUrl: server.gitopsUrl, environments } });
    const publish = createServicePublishAction({ config, integrations: ScmIntegrations.fromConfig(config), validator, ...accessChecks(testOrgAccess()), auth: mockServices.auth() });
    await expect(
      publish.handler(
        createMockActionContext({
          input: { name: 'orders-api', owner: 'group:default/payments-team' } as any,
          user: { ref: 'user:default/mei.chen' },
        }),
      ),
    ).rejects.toThrow(/Pull requests need a GitHub or Azure DevOps integration/);
  } finally {
    await server.stop();
  }
});

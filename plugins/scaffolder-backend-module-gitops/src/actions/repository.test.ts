import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { cloneRepo, startFakeForge, startGitServer } from '@internal/test-fakes/git';
import { createRepoPublishAction } from './repository';

// Real Git pushes over HTTP: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(30_000);

const outputs = (ctx: any) => Object.fromEntries((ctx.output as jest.Mock).mock.calls);

async function workspace(files: Record<string, string>) {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ws-'));
  for (const [p, content] of Object.entries(files)) {
    await fs.promises.mkdir(path.dirname(path.join(dir, p)), { recursive: true });
    await fs.promises.writeFile(path.join(dir, p), content);
  }
  return dir;
}

describe('gitops:repo:publish', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  let forge: Awaited<ReturnType<typeof startFakeForge>>;
  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
    forge = await startFakeForge(server.baseUrl);
  });
  afterAll(async () => {
    await forge.stop();
    await server.stop();
  });

  const hosts = () => [
    {
      name: 'the embedded Git host',
      config: { gitops: { repoUrl: server.gitopsUrl, repositories: { baseUrl: `${server.baseUrl}/contoso` } } },
      clone: (repo: string) => `${server.baseUrl}/contoso/${repo}.git`,
      catalogInfo: (repo: string) => `${server.baseUrl}/raw/contoso/${repo}/main/catalog-info.yaml`,
      created: undefined,
    },
    {
      name: 'GitHub',
      config: {
        integrations: { github: [{ host: forge.host, apiBaseUrl: `http://${forge.host}/api/v3`, token: 'ghp-test' }] },
        gitops: { repoUrl: server.gitopsUrl, repositories: { baseUrl: `http://${forge.host}/contoso` } },
      },
      clone: (repo: string) => `http://${forge.host}/contoso/${repo}.git`,
      catalogInfo: (repo: string) => `http://${forge.host}/contoso/${repo}/blob/main/catalog-info.yaml`,
      created: 'github',
    },
    {
      name: 'Azure DevOps',
      config: {
        integrations: { azure: [{ host: forge.host, credentials: [{ personalAccessToken: 'ado-pat' }] }] },
        gitops: { repoUrl: server.gitopsUrl, repositories: { baseUrl: `http://${forge.host}/contoso/platform` } },
      },
      clone: (repo: string) => `http://${forge.host}/contoso/platform/_git/${repo}`,
      catalogInfo: (repo: string) =>
        `http://${forge.host}/contoso/platform/_git/${repo}?path=/catalog-info.yaml&version=GBmain`,
      created: 'azure',
    },
  ];

  it.each([0, 1, 2])('creates the repository on host %#, pushes as the user, and a re-run changes nothing', async i => {
    const host = hosts()[i];
    const repo = `svc-${i}`;
    const config = new ConfigReader(host.config);
    const action = createRepoPublishAction({ config, integrations: ScmIntegrations.fromConfig(config), auth: mockServices.auth() });
    const dir = await workspace({ 'catalog-info.yaml': `metadata:\n  name: ${repo}\n`, 'src/app.ts': 'export {};\n' });
    const ctx = () =>
      createMockActionContext({
        input: { name: repo },
        workspacePath: dir,
        user: { ref: 'user:default/amara.okafor' },
      });

    const first = ctx();
    await action.handler(first);
    expect(outputs(first)).toMatchObject({
      created: true,
      remoteUrl: host.clone(repo),
      catalogInfoUrl: host.catalogInfo(repo),
    });
    // GitHub and Azure DevOps are asked to create it; the embedded host creates it on the push.
    expect(forge.repositories.filter(r => r.name === repo).map(r => r.host)).toEqual(
      host.created ? [host.created] : [],
    );
    const clone = await cloneRepo(host.clone(repo));
    expect(await clone.read('src/app.ts')).toBe('export {};\n');
    expect(clone.log[0].commit.author.name).toBe('amara.okafor');
    await clone.cleanup();
    // Pushed, so no local history is left for the scaffolder to save after each step.
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(false);

    const second = ctx();
    await action.handler(second);
    expect(outputs(second)).toMatchObject({ created: false, commitSha: outputs(first).commitSha });
  });

  it('refuses to overwrite a repository that has other content', async () => {
    const config = new ConfigReader(hosts()[0].config);
    const action = createRepoPublishAction({ config, integrations: ScmIntegrations.fromConfig(config), auth: mockServices.auth() });
    const dir = await workspace({ 'README.md': 'different\n' });
    await expect(
      action.handler(createMockActionContext({ input: { name: 'svc-0' }, workspacePath: dir })),
    ).rejects.toThrow(/already exists with other content/);
  });

  it('pushes into an empty repository a run stopped in before its push, instead of refusing the name', async () => {
    // What GitHub or Azure DevOps leave when a task dies between creating the repository and pushing.
    const bare = path.join(server.root, 'contoso', 'svc-empty.git');
    execFileSync('git', ['init', '--bare', '--initial-branch=main', bare]);
    const host = hosts()[0];
    const config = new ConfigReader(host.config);
    const action = createRepoPublishAction({ config, integrations: ScmIntegrations.fromConfig(config), auth: mockServices.auth() });
    const dir = await workspace({ 'catalog-info.yaml': 'metadata:\n  name: svc-empty\n' });
    // The killed run had committed in the workspace before its push died.
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=Killed Run', '-c', 'user.email=k@contoso.example', ...args]);
    git('init', '--quiet', '--initial-branch=main');
    git('add', '.');
    git('commit', '--quiet', '-m', 'the killed run');
    const ctx = createMockActionContext({ input: { name: 'svc-empty' }, workspacePath: dir, user: { ref: 'user:default/amara.okafor' } });
    await action.handler(ctx);
    expect(outputs(ctx).created).toBe(true);
    const clone = await cloneRepo(host.clone('svc-empty'));
    try {
      expect(await clone.read('catalog-info.yaml')).toBe('metadata:\n  name: svc-empty\n');
      // One commit, the user's: not one on top of the killed run's.
      expect(clone.log).toHaveLength(1);
      expect(clone.log[0].commit.author.name).not.toBe('Killed Run');
    } finally {
      await clone.cleanup();
    }
  });
});

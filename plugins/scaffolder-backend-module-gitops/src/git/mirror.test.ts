import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import {
  cloneRepo,
  commitFiles,
  headOf,
  pushAuth,
  startGitServer,
} from '@internal/test-fakes/git';
import { startHttpProxy } from '@internal/test-fakes';
import { execFile } from 'child_process';
import fs from 'fs';
import path from 'path';
import { promisify } from 'util';
import { BranchMirror } from './mirror';

// Real Git over HTTP on 2 busy cores.
jest.setTimeout(60_000);

/** The sizes of the packs a mirror holds, newest last. */
function packs(gitdir: string): number[] {
  const dir = path.join(gitdir, 'objects/pack');
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.pack'))
    .map(f => fs.statSync(path.join(dir, f)))
    .sort((a, b) => a.mtimeMs - b.mtimeMs)
    .map(s => s.size);
}

describe('BranchMirror', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
  });
  afterAll(() => server.stop());

  it('fetches only what is new, and reads each commit as it was', async () => {
    // A repository of some size: 300 files of distinct content.
    const many: Record<string, string> = {};
    for (let i = 0; i < 300; i++)
      many[
        `apps/svc-${i}/base/deployment.yaml`
      ] = `name: svc-${i}\n${'x'.repeat(200)}${i}\n`;
    await commitFiles(server.gitopsUrl, many, 'many services');
    const mirror = BranchMirror.of(server.gitopsUrl, 'main');
    const first = await mirror.head(pushAuth());
    const whole = Math.max(...packs(first.store.gitdir));

    await commitFiles(
      server.gitopsUrl,
      { 'apps/svc-7/base/deployment.yaml': 'name: svc-7\nchanged: true\n' },
      'one change',
    );
    const second = await mirror.head(pushAuth());
    const latest = packs(second.store.gitdir).at(-1)!;
    // A blob, four trees (apps/ lists all 300 services) and a commit, not the repository again.
    expect(latest).toBeLessThan(whole / 3);

    expect(await first.read('apps/svc-7/base/deployment.yaml')).toBe(
      many['apps/svc-7/base/deployment.yaml'],
    );
    expect(await second.read('apps/svc-7/base/deployment.yaml')).toBe(
      'name: svc-7\nchanged: true\n',
    );
    expect(await second.read('apps/svc-7/base')).toBeUndefined();
    expect(await second.read('apps/svc-7/base/nothing.yaml')).toBeUndefined();
    expect(await second.list('apps/svc-7')).toEqual([
      'apps/svc-7/base/deployment.yaml',
    ]);
    expect(await second.list('apps/none')).toEqual([]);
  });

  it('pushes a batch of commits that add, change, move and remove files, and the host has every object', async () => {
    const base: Record<string, string> = {};
    for (let i = 0; i < 50; i++)
      base[`apps/app-${i}/overlays/dev/kustomization.yaml`] = `app: ${i}\n`;
    await commitFiles(server.gitopsUrl, base, 'fifty apps');
    const mirror = BranchMirror.of(server.gitopsUrl, 'main');
    const author = { name: 'Ada', email: 'ada@example.com' };
    const commitOn = async (
      snapshot: Awaited<ReturnType<BranchMirror['head']>>,
      changes: Record<string, string | null>,
      message: string,
    ) => {
      const { tree } = await snapshot.applyChanges(
        new Map(Object.entries(changes)),
      );
      return snapshot.commitTree({ tree, message, author, committer: author });
    };
    const head = await mirror.head(pushAuth());
    // Three commits pushed at once, as the lane pushes a batch: the second and third build on
    // objects only the first has, and the third brings back a tree the remote already holds.
    const first = await commitOn(
      head,
      {
        'apps/app-1/overlays/dev/kustomization.yaml': 'app: 1\nchanged: true\n',
        'apps/new/base/deployment.yaml': 'kind: Deployment\n',
        'apps/new/base/service.yaml': 'kind: Service\n',
      },
      'first',
    );
    const second = await commitOn(
      first,
      {
        'apps/new/base/service.yaml': null,
        'apps/new/overlays/dev/kustomization.yaml': 'resources: [../../base]\n',
        'apps/app-2/overlays/dev/kustomization.yaml': null,
      },
      'second',
    );
    const third = await commitOn(
      second,
      {
        'apps/moved/overlays/dev/kustomization.yaml': 'app: 3\n',
        'apps/app-3/overlays/dev/kustomization.yaml': null,
        'apps/app-1/overlays/dev/kustomization.yaml': 'app: 1\n',
      },
      'third',
    );
    expect(await third.push('main', pushAuth())).toEqual({
      ok: true,
      error: undefined,
    });
    expect(await headOf(server.gitopsUrl)).toBe(third.commit);

    // The host checks connectivity on receive; fsck checks every object of every commit again.
    const bare = path.join(server.root, 'gitops.git');
    await promisify(execFile)('git', ['fsck', '--strict', '--no-dangling'], {
      cwd: bare,
    });
    const { stdout } = await promisify(execFile)(
      'git',
      ['log', '--format=%s', '-4'],
      { cwd: bare },
    );
    expect(stdout.trim().split('\n')).toEqual([
      'third',
      'second',
      'first',
      'fifty apps',
    ]);

    const clone = await cloneRepo(server.gitopsUrl);
    try {
      expect(
        await clone.read('apps/app-1/overlays/dev/kustomization.yaml'),
      ).toBe('app: 1\n');
      expect(await clone.read('apps/new/base/deployment.yaml')).toBe(
        'kind: Deployment\n',
      );
      expect(clone.exists('apps/new/base/service.yaml')).toBe(false);
      expect(await clone.read('apps/new/overlays/dev/kustomization.yaml')).toBe(
        'resources: [../../base]\n',
      );
      expect(clone.exists('apps/app-2')).toBe(false);
      expect(clone.exists('apps/app-3')).toBe(false);
      expect(
        await clone.read('apps/moved/overlays/dev/kustomization.yaml'),
      ).toBe('app: 3\n');
      expect(
        await clone.read('apps/app-49/overlays/dev/kustomization.yaml'),
      ).toBe('app: 49\n');
    } finally {
      await clone.cleanup();
    }

    // A branch of its own: the remote lacks the ref but holds the parent.
    const branched = await commitOn(
      await mirror.head(pushAuth()),
      { 'apps/preview/base/deployment.yaml': 'kind: Deployment\n' },
      'preview',
    );
    expect((await branched.push('preview-1', pushAuth())).ok).toBe(true);
    await promisify(execFile)('git', ['fsck', '--strict', '--no-dangling'], {
      cwd: bare,
    });
    const { stdout: tip } = await promisify(execFile)(
      'git',
      ['rev-parse', 'refs/heads/preview-1'],
      { cwd: bare },
    );
    expect(tip.trim()).toBe(branched.commit);
  });

  it('sends its credentials with the first request of every fetch and push, never taking a 401 first', async () => {
    // A proxy in front of the host that notes which requests came without credentials.
    const anonymous: string[] = [];
    const proxy = await startHttpProxy({
      target: server.baseUrl,
      onRequest: req => {
        if (!req.headers.authorization) anonymous.push(`${req.method} ${req.url}`);
      },
    });
    try {
      const url = server.gitopsUrl.replace(new URL(server.baseUrl).origin, proxy.url);
      const mirror = BranchMirror.of(url, 'main');
      const head = await mirror.head(pushAuth());
      const { tree } = await head.applyChanges(
        new Map([['apps/proxied/base/deployment.yaml', 'kind: Deployment\n']]),
      );
      const author = { name: 'Ada', email: 'ada@example.com' };
      const next = await head.commitTree({
        tree,
        message: 'through the proxy',
        author,
        committer: author,
      });
      expect((await next.push('main', pushAuth())).ok).toBe(true);
      expect(await headOf(server.gitopsUrl)).toBe(next.commit);
      expect(anonymous).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { commitFiles, pushAuth, startGitServer } from '@internal/test-fakes/git';
import fs from 'fs';
import path from 'path';
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
    for (let i = 0; i < 300; i++) many[`apps/svc-${i}/base/deployment.yaml`] = `name: svc-${i}\n${'x'.repeat(200)}${i}\n`;
    await commitFiles(server.gitopsUrl, many, 'many services');
    const mirror = BranchMirror.of(server.gitopsUrl, 'main');
    const first = await mirror.head(pushAuth());
    const whole = Math.max(...packs(first.store.gitdir));

    await commitFiles(server.gitopsUrl, { 'apps/svc-7/base/deployment.yaml': 'name: svc-7\nchanged: true\n' }, 'one change');
    const second = await mirror.head(pushAuth());
    const latest = packs(second.store.gitdir).at(-1)!;
    // A blob, four trees (apps/ lists all 300 services) and a commit, not the repository again.
    expect(latest).toBeLessThan(whole / 3);

    expect(await first.read('apps/svc-7/base/deployment.yaml')).toBe(many['apps/svc-7/base/deployment.yaml']);
    expect(await second.read('apps/svc-7/base/deployment.yaml')).toBe('name: svc-7\nchanged: true\n');
    expect(await second.read('apps/svc-7/base')).toBeUndefined();
    expect(await second.read('apps/svc-7/base/nothing.yaml')).toBeUndefined();
    expect(await second.list('apps/svc-7')).toEqual(['apps/svc-7/base/deployment.yaml']);
    expect(await second.list('apps/none')).toEqual([]);
  });
});

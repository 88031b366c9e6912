import { mockServices } from '@backstage/backend-test-utils';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { cloneRepo, commitFiles, headOf, startGitServer, pushAuth } from '@internal/test-fakes/git';
import fs from 'fs';
import path from 'path';
import { commitAndPush, CommitOptions } from './GitOpsRepository';
import { MIRRORS_ROOT } from './mirror';

// Real Git pushes over HTTP: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(30_000);

const who = { name: 'Priya Raman', email: 'priya.raman@contoso.example' };

describe('commitAndPush', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
  });
  afterAll(() => server.stop());

  const options = (over: Partial<CommitOptions>): CommitOptions => ({
    repoUrl: server.gitopsUrl,
    branch: 'main',
    author: who,
    committer: who,
    message: 'test',
    change: async () => new Map(),
    logger: mockServices.logger.mock(),
    auth: pushAuth(),
    ...over,
  });

  // Makes someone else push between our clone and our push, once.
  function interloper(file: string) {
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      // Another replica: outside this backend's queue, so it can push in between.
      await commitAndPush(
        options({ message: `other ${file}`, queue: false, change: async () => new Map([[file, 'theirs\n']]) }),
      );
    };
  }

  it('rebuilds on the other push after a non-fast-forward and keeps both', async () => {
    const other = interloper('other-a.txt');
    const result = await commitAndPush(
      options({
        message: 'ours',
        change: async () => {
          await other();
          return new Map([['ours-a.txt', 'ours\n']]);
        },
      }),
    );
    expect(result.attempts).toBe(2);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      expect(await repo.read('ours-a.txt')).toBe('ours\n');
      expect(await repo.read('other-a.txt')).toBe('theirs\n');
      expect(repo.log[0].commit.message.trim()).toBe('ours');
      expect(repo.log[1].commit.message.trim()).toBe('other other-a.txt');
    } finally {
      await repo.cleanup();
    }
  });

  it('gives up cleanly after the bounded attempts, without force-pushing', async () => {
    const other = interloper('other-b.txt');
    await expect(
      commitAndPush(
        options({
          maxAttempts: 1,
          change: async () => {
            await other();
            return new Map([['ours-b.txt', 'ours\n']]);
          },
        }),
      ),
    ).rejects.toThrow(/Gave up after 1 attempts.*non-fast-forward.*Nothing was force-pushed/);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      expect(await repo.read('other-b.txt')).toBe('theirs\n');
      expect(repo.exists('ours-b.txt')).toBe(false);
    } finally {
      await repo.cleanup();
    }
  });

  it('fails a real conflict, naming the file, when another replica wrote it with other content', async () => {
    const head = await headOf(server.gitopsUrl);
    let raced = false;
    const other = async () => {
      if (raced) return;
      raced = true;
      await commitAndPush(
        options({ message: 'theirs', queue: false, change: async () => new Map([['apps/shared.yaml', 'theirs\n']]) }),
      );
    };
    await expect(
      commitAndPush(
        options({
          message: 'ours',
          change: async () => {
            await other();
            return new Map([
              ['apps/ours-c.yaml', 'ours\n'],
              ['apps/shared.yaml', 'ours\n'],
            ]);
          },
        }),
      ),
    ).rejects.toThrow(/^apps\/shared\.yaml in .* already holds other content .* Nothing was committed/);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      // Theirs landed, ours left no trace.
      expect(repo.log[1].oid).toBe(head);
      expect(await repo.read('apps/shared.yaml')).toBe('theirs\n');
      expect(repo.exists('apps/ours-c.yaml')).toBe(false);
    } finally {
      await repo.cleanup();
    }
  });

  it('rebuilds a file it read on the other push instead of calling it a conflict', async () => {
    await commitAndPush(options({ message: 'list', change: async () => new Map([['apps/list.yaml', 'a\n']]) }));
    let raced = false;
    const result = await commitAndPush(
      options({
        message: 'append b',
        change: async read => {
          const list = (await read('apps/list.yaml')) ?? '';
          if (!raced) {
            raced = true;
            await commitAndPush(
              options({ message: 'append c', queue: false, change: async r => new Map([['apps/list.yaml', `${await r('apps/list.yaml')}c\n`]]) }),
            );
          }
          return new Map([['apps/list.yaml', `${list}b\n`]]);
        },
      }),
    );
    expect(result.attempts).toBe(2);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      expect(await repo.read('apps/list.yaml')).toBe('a\nc\nb\n');
    } finally {
      await repo.cleanup();
    }
  });

  it('commits nothing when the tree already matches', async () => {
    const head = await headOf(server.gitopsUrl);
    const result = await commitAndPush(
      options({ change: async () => new Map([['ours-a.txt', 'ours\n']]) }),
    );
    expect(result).toMatchObject({ changed: false, sha: head });
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('aborts before pushing when the change throws', async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(
      commitAndPush(
        options({
          change: async () => {
            throw new Error('owned by someone else');
          },
        }),
      ),
    ).rejects.toThrow('owned by someone else');
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('lands 20 changes made at once in one backend, each in a commit of its own, none retried', async () => {
    const before = await headOf(server.gitopsUrl);
    const logger = mockServices.logger.mock();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        commitAndPush(
          options({
            logger,
            message: `queued ${i}`,
            change: async read => {
              // One refused, one that is already there: neither holds up the others.
              if (i === 7) throw new Error('owner check failed for 7');
              if (i === 11) return new Map([['ours-a.txt', (await read('ours-a.txt')) ?? '']]);
              return new Map([[`queued/${i}.txt`, `${i}\n`]]);
            },
          }),
        ),
      ),
    );
    expect(results[7]).toMatchObject({ status: 'rejected', reason: { message: 'owner check failed for 7' } });
    expect(results[11]).toMatchObject({ status: 'fulfilled', value: { changed: false } });
    const landed = results.flatMap((r, i) => (r.status === 'fulfilled' && r.value.changed ? [{ i, ...r.value }] : []));
    expect(landed).toHaveLength(18);
    expect(landed.map(r => r.attempts)).toEqual(Array(18).fill(1));
    // The ones that arrived during the first push went to the host together, after it.
    const pushes = logger.info.mock.calls.filter(([m]) => m === 'Pushed GitOps commit');
    expect(pushes).toHaveLength(18);
    expect(pushes.filter(([, meta]: any) => meta.pushedWith === 16)).toHaveLength(17);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      // A straight line of 18 commits on the old head, one per change, each with its message.
      const ours = repo.log.slice(0, 18);
      expect(repo.log[18].oid).toBe(before);
      expect(new Set(ours.map(c => c.oid))).toEqual(new Set(landed.map(r => r.sha)));
      ours.forEach((c, k) => expect(c.commit.parent).toEqual([repo.log[k + 1].oid]));
      for (const { i } of landed) {
        expect(ours.filter(c => c.commit.message.trim() === `queued ${i}`)).toHaveLength(1);
        expect(await repo.read(`queued/${i}.txt`)).toBe(`${i}\n`);
      }
      expect(repo.exists('queued/7.txt')).toBe(false);
    } finally {
      await repo.cleanup();
    }
  });

  it('lands every push when another replica pushes to the same branch at the same time', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        commitAndPush(
          options({
            message: `replica ${i % 2 ? 'b' : 'a'} ${i}`,
            // Replica b's pushes race replica a's and each other.
            queue: i % 2 === 0,
            change: async () => new Map([[`replicas/${i}.txt`, `${i}\n`]]),
          }),
        ),
      ),
    );
    expect(results.every(r => r.changed)).toBe(true);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      for (let i = 0; i < 10; i++) expect(await repo.read(`replicas/${i}.txt`)).toBe(`${i}\n`);
    } finally {
      await repo.cleanup();
    }
  });
});

describe('the mirror commits build on', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
  });
  afterAll(() => server.stop());

  const commit = (message: string, files: Record<string, string | null>) =>
    commitAndPush({
      repoUrl: server.gitopsUrl,
      branch: 'main',
      author: who,
      committer: who,
      message,
      // Reads what it rewrites, as a change that merges does: so it may replace other content.
      change: async read => {
        for (const p of Object.keys(files)) await read(p);
        return new Map(Object.entries(files));
      },
      logger: mockServices.logger.mock(),
      auth: pushAuth(),
    });

  it('takes in what a plain Git client pushed since, without a retry', async () => {
    await commit('first', { 'apps/a/app.yaml': 'a: 1\n' });
    const theirs = await commitFiles(server.gitopsUrl, { 'apps/b/app.yaml': 'b: 1\n' }, 'by hand');
    const result = await commit('second', { 'apps/a/app.yaml': 'a: 2\n' });
    expect(result.attempts).toBe(1);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      expect(repo.log[0].commit.parent).toEqual([theirs]);
      expect(await repo.read('apps/a/app.yaml')).toBe('a: 2\n');
      expect(await repo.read('apps/b/app.yaml')).toBe('b: 1\n');
    } finally {
      await repo.cleanup();
    }
  });

  it('removes a folder whose last file goes, and keeps the others as they were', async () => {
    await commit('two files', { 'apps/c/one.yaml': '1\n', 'apps/c/two.yaml': '2\n' });
    const result = await commit('remove c', { 'apps/c/one.yaml': null, 'apps/c/two.yaml': null, 'apps/absent.yaml': null });
    expect(result.paths.sort()).toEqual(['apps/c/one.yaml', 'apps/c/two.yaml']);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      expect(repo.exists('apps/c')).toBe(false);
      expect(await repo.read('apps/a/app.yaml')).toBe('a: 2\n');
    } finally {
      await repo.cleanup();
    }
  });

  it('starts again from a fresh copy when its own folder is gone', async () => {
    const mirrors = MIRRORS_ROOT;
    for (const own of fs.readdirSync(mirrors).filter(d => d.startsWith(`${process.pid}-`))) {
      for (const branch of fs.readdirSync(path.join(mirrors, own))) {
        fs.rmSync(path.join(mirrors, own, branch), { recursive: true, force: true });
      }
    }
    const result = await commit('after the loss', { 'apps/d/app.yaml': 'd: 1\n' });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect(await headOf(server.gitopsUrl)).toBe(result.sha);
  });
});

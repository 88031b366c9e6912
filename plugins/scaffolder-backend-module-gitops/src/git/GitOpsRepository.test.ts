import { mockServices } from '@backstage/backend-test-utils';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { cloneRepo, headOf, startGitServer, pushAuth } from '@internal/test-fakes/git';
import { commitAndPush, CommitOptions } from './GitOpsRepository';

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

  it('lands 20 pushes made at once in one backend, one after another, none retried', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        commitAndPush(options({ message: `queued ${i}`, change: async () => new Map([[`queued/${i}.txt`, `${i}\n`]]) })),
      ),
    );
    expect(results.map(r => r.attempts)).toEqual(Array(20).fill(1));
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      const messages = repo.log.map(c => c.commit.message.trim());
      for (let i = 0; i < 20; i++) {
        expect(messages.filter(m => m === `queued ${i}`)).toHaveLength(1);
        expect(await repo.read(`queued/${i}.txt`)).toBe(`${i}\n`);
      }
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

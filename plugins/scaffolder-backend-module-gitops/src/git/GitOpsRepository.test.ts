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
      await commitAndPush(
        options({ message: `other ${file}`, change: async () => new Map([[file, 'theirs\n']]) }),
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
});

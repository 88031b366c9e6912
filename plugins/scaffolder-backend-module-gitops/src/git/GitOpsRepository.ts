import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import fs from 'fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import os from 'os';
import path from 'path';

export type GitIdentity = { name: string; email: string };

import type { GitAuth } from '@internal/plugin-platform-node';

export type { GitAuth };

/** Desired content per path; `null` removes the file. */
export type FileChanges = Map<string, string | null>;

/** Reads a file of the current tree, or undefined when absent. */
export type TreeReader = (filePath: string) => Promise<string | undefined>;

export type CommitResult = {
  changed: boolean;
  sha: string;
  attempts: number;
  paths: string[];
};

export type CommitOptions = {
  repoUrl: string;
  branch: string;
  auth?: GitAuth;
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
  /**
   * Computes the change from the current tree. Runs again on every attempt, so
   * a retry after a concurrent push builds on what that push committed. Throwing
   * here aborts before anything is written.
   */
  change: (read: TreeReader, workTree: string) => Promise<FileChanges>;
  /** The message, when it depends on what `change` found; `message` otherwise. */
  messageOf?: () => string;
  /** Remote branch to push to, when not `branch` (a pull request's head). */
  pushBranch?: string;
  /** `false` checks and computes the change but never pushes. */
  push?: boolean;
  maxAttempts?: number;
  /**
   * `false` skips this backend's queue for the repository, as another replica's push would;
   * for tests that make a push race another.
   */
  queue?: boolean;
  logger: LoggerService;
  signal?: AbortSignal;
};

/** Whether the remote has a branch, without cloning. */
export async function remoteBranchExists(
  repoUrl: string,
  branch: string,
  auth?: GitAuth,
): Promise<boolean> {
  try {
    const info = await git.getRemoteInfo2({
      http,
      url: repoUrl,
      protocolVersion: 1,
      onAuth: auth ? () => auth : undefined,
    });
    return (info.refs ?? []).some(r => r.ref === `refs/heads/${branch}`);
  } catch (error) {
    throw describeGitError(error, repoUrl);
  }
}

/** A Git host failure in words that say what happened and what to do. */
export function describeGitError(error: any, repoUrl: string): Error {
  const status = error?.data?.statusCode;
  if (error?.code === 'HttpError' && (status === 401 || status === 403)) {
    return new Error(
      `The Git host refused access to ${repoUrl} (HTTP ${status}). Check the credentials for this host under integrations in app-config.`,
    );
  }
  if (error?.code === 'HttpError' && status === 404) {
    return new InputError(
      `The repository ${repoUrl} does not exist (HTTP 404). Check gitops.repoUrl in app-config.`,
    );
  }
  if (error?.code === 'HttpError') {
    return new Error(
      `The Git host answered HTTP ${status} for ${repoUrl}; nothing was pushed. Try again, or check the host's status.`,
    );
  }
  const sys = error?.code ?? error?.cause?.code;
  if (['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT'].includes(sys)) {
    return new Error(
      `Could not reach the Git host for ${repoUrl} (${sys}); nothing was pushed. Check that it is running and reachable from the portal.`,
    );
  }
  if (error?.code === 'GitPushError') {
    return new Error(
      `The Git host rejected the push to ${repoUrl}: ${error.message}. Nothing was changed there.`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

function isRejectedAsStale(error: any): boolean {
  if (error?.code === 'PushRejectedError') return true;
  // A ref update that lost a race on the server side ("failed to lock", "fetch first").
  return (
    error?.code === 'GitPushError' &&
    /lock|fetch first|non-fast-forward|stale|failed to update ref/i.test(String(error?.message))
  );
}

async function cloneInto(dir: string, opts: CommitOptions) {
  const onAuth = opts.auth ? () => opts.auth! : undefined;
  try {
    await git.clone({
      fs,
      http,
      dir,
      url: opts.repoUrl,
      ref: opts.branch,
      singleBranch: true,
      depth: 1,
      onAuth,
    });
  } catch (error: any) {
    if (error?.code === 'NotFoundError') {
      // An empty repository: start its first commit.
      await git.init({ fs, dir, defaultBranch: opts.branch });
      await git.addRemote({ fs, dir, remote: 'origin', url: opts.repoUrl });
      return;
    }
    throw describeGitError(error, opts.repoUrl);
  }
}

// Pushes to one branch of one repository, one after another within this backend: requests
// that arrive together then never race each other, only other replicas.
const queues = new Map<string, Promise<unknown>>();

function queued<T>(key: string, run: () => Promise<T>): Promise<T> {
  const result = (queues.get(key) ?? Promise.resolve()).then(run);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, tail);
  tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return result;
}

/** How long to wait before attempt `attempt + 1`: exponential, capped, with jitter. */
function backoffMs(attempt: number): number {
  return Math.min(2_000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random());
}

/**
 * Commits a change to a repository and pushes it, never forcing. Within this backend pushes
 * to one branch wait their turn; a push that still loses a race (to another replica) is
 * rebuilt from a fresh clone of the new head, up to `maxAttempts` times with jittered
 * backoff. When the tree already has the desired content nothing is committed.
 */
export async function commitAndPush(opts: CommitOptions): Promise<CommitResult> {
  if (opts.push === false || opts.queue === false) return commitOnce(opts);
  return queued(`${opts.repoUrl}#${opts.pushBranch ?? opts.branch}`, () => commitOnce(opts));
}

async function commitOnce(opts: CommitOptions): Promise<CommitResult> {
  // Ten attempts, about 11 s of backoff in all: enough for several replicas pushing at once.
  const maxAttempts = opts.maxAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gitops-'));
    try {
      await cloneInto(dir, opts);
      const read: TreeReader = async p => {
        try {
          return await fs.promises.readFile(path.join(dir, p), 'utf8');
        } catch {
          return undefined;
        }
      };
      const changes = await opts.change(read, dir);
      const changed: string[] = [];
      for (const [p, content] of changes) {
        const current = await read(p);
        if (content === null) {
          if (current !== undefined) {
            await git.remove({ fs, dir, filepath: p });
            await fs.promises.rm(path.join(dir, p));
            changed.push(p);
          }
        } else if (current !== content) {
          await fs.promises.mkdir(path.dirname(path.join(dir, p)), { recursive: true });
          await fs.promises.writeFile(path.join(dir, p), content);
          await git.add({ fs, dir, filepath: p });
          changed.push(p);
        }
      }
      const head = await git.resolveRef({ fs, dir, ref: 'HEAD' }).catch(() => '');
      if (changed.length === 0) {
        return { changed: false, sha: head, attempts: attempt, paths: [] };
      }
      if (opts.push === false) {
        return { changed: true, sha: head, attempts: attempt, paths: changed };
      }
      const sha = await git.commit({
        fs,
        dir,
        message: opts.messageOf?.() ?? opts.message,
        author: opts.author,
        committer: opts.committer,
      });
      opts.signal?.throwIfAborted();
      try {
        const result = await git.push({
          fs,
          http,
          dir,
          remote: 'origin',
          ref: opts.branch,
          remoteRef: opts.pushBranch ?? opts.branch,
          onAuth: opts.auth ? () => opts.auth! : undefined,
        });
        if (!result.ok) {
          throw Object.assign(new Error(result.error ?? 'push failed'), {
            code: 'GitPushError',
          });
        }
      } catch (error: any) {
        if (isRejectedAsStale(error) && attempt < maxAttempts) {
          opts.logger.warn('GitOps push lost a race, retrying from a fresh clone', {
            repoUrl: opts.repoUrl,
            attempt,
          });
          await new Promise(r => setTimeout(r, backoffMs(attempt)));
          continue;
        }
        if (isRejectedAsStale(error)) {
          throw new ConflictError(
            `Gave up after ${attempt} attempts: ${opts.repoUrl} kept moving while pushing (non-fast-forward: ${error.message}). Nothing was force-pushed; run the task again.`,
          );
        }
        throw describeGitError(error, opts.repoUrl);
      }
      opts.logger.info('Pushed GitOps commit', {
        repoUrl: opts.repoUrl,
        branch: opts.pushBranch ?? opts.branch,
        sha,
        files: changed.length,
        attempt,
      });
      return { changed: true, sha, attempts: attempt, paths: changed };
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }
}

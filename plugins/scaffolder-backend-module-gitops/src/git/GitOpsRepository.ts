import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { BranchMirror, FileChanges, FolderLister, remoteHasBranch, TreeReader } from './mirror';

export type GitIdentity = { name: string; email: string };

import type { GitAuth } from '@internal/plugin-platform-node';

export type { GitAuth };

export type { FileChanges, FolderLister, TreeReader };

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
   * here aborts before anything is written. A file written without being `read` must be absent
   * or hold the same content already (see refuseBlindOverwrites); `peek` reads without that
   * licence, for a change that only reports what was there.
   */
  change: (read: TreeReader, filesUnder: FolderLister, peek: TreeReader) => Promise<FileChanges>;
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
    return await remoteHasBranch(repoUrl, branch, auth);
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

/**
 * A change may rewrite a file it read (it merged what was there) or write one that is absent
 * or already holds the same content. A file it writes without reading, which now holds
 * something else, was written by another request or by hand: overwriting it would lose that,
 * and retrying cannot help, so it is a real conflict.
 */
async function refuseBlindOverwrites(
  changes: FileChanges,
  read: Set<string>,
  current: TreeReader,
  repoUrl: string,
) {
  const clashes: string[] = [];
  for (const [p, content] of changes) {
    if (content === null || read.has(p)) continue;
    const there = await current(p);
    if (there !== undefined && there !== content) clashes.push(p);
  }
  if (clashes.length === 0) return;
  const many = clashes.length > 1;
  const files =
    clashes.length > 3 ? `${clashes.slice(0, 3).join(', ')} and ${clashes.length - 3} more` : clashes.join(', ');
  throw new ConflictError(
    `${files} in ${repoUrl} already ${many ? 'hold' : 'holds'} other content than this request writes, from another change. Nothing was committed: compare ${many ? 'them' : 'it'} with your request, and choose another name or change ${many ? 'those files' : 'that file'} by pull request.`,
  );
}

/** How long to wait before attempt `attempt + 1`: exponential, capped, with jitter. */
function backoffMs(attempt: number): number {
  return Math.min(2_000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random());
}

type Request = {
  opts: CommitOptions;
  resolve: (result: CommitResult) => void;
  reject: (error: unknown) => void;
};

// Requests for one branch of one repository wait in one lane of this backend, so they never
// race each other, only other replicas.
const lanes = new Map<string, Request[]>();

// At most this many commits go in one push.
const MAX_BATCH = 25;

/**
 * Commits a change to a repository and pushes it, never forcing. Within this backend,
 * changes to one branch are applied one after another; those that arrived while a push was
 * under way are each committed on the one before and go to the host in one push, so a burst of
 * requests costs one round trip instead of one each, and every request still has a commit
 * (and trailer) of its own. A push that loses a race to another replica is rebuilt on the new
 * head (fetched into this backend's mirror), up to `maxAttempts` times with jittered backoff.
 * When the tree already has the desired content nothing is committed.
 */
export function commitAndPush(opts: CommitOptions): Promise<CommitResult> {
  if (opts.push === false || opts.queue === false) return commitBatch([opts]).then(([r]) => settled(r));
  const key = `${opts.repoUrl}#${opts.branch}>${opts.pushBranch ?? opts.branch}`;
  return new Promise<CommitResult>((resolve, reject) => {
    const lane = lanes.get(key);
    if (lane) {
      lane.push({ opts, resolve, reject });
      return;
    }
    const waiting: Request[] = [{ opts, resolve, reject }];
    lanes.set(key, waiting);
    void drain(key, waiting);
  });
}

async function drain(key: string, waiting: Request[]) {
  while (waiting.length > 0) {
    const batch = waiting.splice(0, MAX_BATCH);
    const outcomes = await commitBatch(batch.map(r => r.opts)).catch(error =>
      batch.map(() => error as Error),
    );
    batch.forEach((r, i) => {
      const o = outcomes[i];
      if (o instanceof Error) r.reject(o);
      else r.resolve(o);
    });
  }
  lanes.delete(key);
}

function settled(outcome: CommitResult | Error): CommitResult {
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

/**
 * Builds each change on the one before, from one fetch of the head, and pushes the last commit
 * once. All of `batch` share repository, branch and push branch. Each change's own failure is
 * its outcome alone; a push the host refuses for anything but a race is tried again one
 * change at a time, so that each request gets its own answer.
 */
async function commitBatch(batch: CommitOptions[]): Promise<Array<CommitResult | Error>> {
  const first = batch[0];
  // Ten attempts, about 11 s of backoff in all: enough for several replicas pushing at once.
  const maxAttempts = Math.max(...batch.map(o => o.maxAttempts ?? 10));
  const remoteBranch = first.pushBranch ?? first.branch;
  const mirror = BranchMirror.of(first.repoUrl, first.branch);
  for (let attempt = 1; ; attempt++) {
    const snapshot = await mirror.head(first.auth).catch(error => {
      mirror.reset();
      throw describeGitError(error, first.repoUrl);
    });
    const outcomes: Array<CommitResult | Error> = [];
    let tip = snapshot;
    for (const opts of batch) {
      try {
        opts.signal?.throwIfAborted();
        const read = tip.read;
        const seen = new Set<string>();
        const changes = await opts.change(async p => {
          seen.add(p);
          return read(p);
        }, tip.list, read);
        await refuseBlindOverwrites(changes, seen, read, first.repoUrl);
        const { tree, changed } = await tip.applyChanges(changes);
        if (changed.length === 0 || opts.push === false) {
          outcomes.push({ changed: changed.length > 0, sha: tip.commit ?? '', attempts: attempt, paths: changed });
          continue;
        }
        tip = await tip.commitTree({
          tree,
          message: opts.messageOf?.() ?? opts.message,
          author: opts.author,
          committer: opts.committer,
        });
        outcomes.push({ changed: true, sha: tip.commit!, attempts: attempt, paths: changed });
      } catch (error) {
        outcomes.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
    if (tip === snapshot) return outcomes;
    const pushed = outcomes.filter((o): o is CommitResult => !(o instanceof Error) && o.changed);
    try {
      const result = await tip.push(remoteBranch, first.auth);
      if (!result.ok) {
        throw Object.assign(new Error(result.error ?? 'push failed'), { code: 'GitPushError' });
      }
    } catch (error: any) {
      if (isRejectedAsStale(error) && attempt < maxAttempts) {
        for (const opts of batch) {
          opts.logger.warn('GitOps push lost a race, retrying on the new head', {
            repoUrl: first.repoUrl,
            attempt,
          });
        }
        await new Promise(r => setTimeout(r, backoffMs(attempt)));
        continue;
      }
      if (isRejectedAsStale(error)) {
        const gaveUp = new ConflictError(
          `Gave up after ${attempt} attempts: ${first.repoUrl} kept moving while pushing (non-fast-forward: ${error.message}). Nothing was force-pushed; run the task again.`,
        );
        return outcomes.map(o => (o instanceof Error || !o.changed ? o : gaveUp));
      }
      if (batch.length > 1) {
        const alone: Array<CommitResult | Error> = [];
        for (const opts of batch) alone.push(...(await commitBatch([opts]).catch(e => [e as Error])));
        return alone;
      }
      if (!String(error?.code).startsWith('Http') && error?.code !== 'GitPushError') mirror.reset();
      return [describeGitError(error, first.repoUrl)];
    }
    batch.forEach((opts, i) => {
      const o = outcomes[i];
      if (o instanceof Error || !o.changed) return;
      opts.logger.info('Pushed GitOps commit', {
        repoUrl: opts.repoUrl,
        branch: remoteBranch,
        sha: o.sha,
        files: o.paths.length,
        attempt,
        ...(pushed.length > 1 ? { pushedWith: pushed.length - 1 } : {}),
      });
    });
    return outcomes;
  }
}

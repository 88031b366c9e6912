import fs from 'fs';
import git from 'isomorphic-git';
import { describeGitError, GitAuth } from './GitOpsRepository';
import { BranchMirror } from './mirror';

export type FileVersion = {
  sha: string;
  /** Seconds since the epoch, as Git records the commit. */
  timestamp: number;
  author: string;
  message: string;
  content: string;
};

export type History = {
  /** Every version of a file on the branch, newest first. */
  versions(filepath: string, limit?: number): Promise<FileVersion[]>;
  /** Whether `revision` includes `commit` (is it, or descends from it); undefined when unknown here. */
  includes(revision: string, commit: string): Promise<boolean | undefined>;
  /** The branch head's commit. */
  head(): Promise<string | undefined>;
  /** The files of the branch head under a folder. */
  filesUnder(folder: string): Promise<string[]>;
  /** A file of the branch head; undefined when absent. */
  read(filepath: string): Promise<string | undefined>;
};

/**
 * A branch's history, for the time of `use`, from this backend's mirror of the branch: a full
 * copy, since a shallow one would forget exactly the history asked for, brought up to date by
 * a fetch rather than cloned for every use.
 */
export async function withHistory<T>(
  opts: { repoUrl: string; branch: string; auth?: GitAuth },
  use: (history: History) => Promise<T>,
): Promise<T> {
  const mirror = BranchMirror.of(opts.repoUrl, opts.branch);
  const snapshot = await mirror.head(opts.auth).catch(error => {
    mirror.reset();
    throw describeGitError(error, opts.repoUrl);
  });
  const { gitdir, cache } = snapshot.store;
  const head = snapshot.commit;
  return use({
    async versions(filepath, limit = 50) {
      if (!head) return [];
      const commits = await git
        .log({ fs, gitdir, cache, ref: head, filepath, depth: limit })
        .catch(() => []);
      const versions: FileVersion[] = [];
      for (const c of commits) {
        const blob = await git.readBlob({ fs, gitdir, cache, oid: c.oid, filepath }).catch(() => undefined);
        if (!blob) continue;
        versions.push({
          sha: c.oid,
          timestamp: c.commit.committer.timestamp,
          author: c.commit.author.name,
          message: c.commit.message.split('\n')[0],
          content: Buffer.from(blob.blob).toString('utf8'),
        });
      }
      return versions;
    },
    async head() {
      return head;
    },
    filesUnder: snapshot.list,
    read: snapshot.read,
    async includes(revision, commit) {
      if (revision === commit) return true;
      try {
        return await git.isDescendent({ fs, gitdir, cache, oid: revision, ancestor: commit, depth: -1 });
      } catch {
        return undefined;
      }
    },
  });
}

/** Every version of one file on a branch, newest first: what a rollback may choose from. */
export async function fileHistory(opts: {
  repoUrl: string;
  branch: string;
  auth?: GitAuth;
  filepath: string;
  /** At most this many versions. */
  limit?: number;
}): Promise<FileVersion[]> {
  return withHistory(opts, history => history.versions(opts.filepath, opts.limit));
}

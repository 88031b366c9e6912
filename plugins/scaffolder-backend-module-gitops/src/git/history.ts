import fs from 'fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import os from 'os';
import path from 'path';
import { describeGitError, GitAuth } from './GitOpsRepository';

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
 * A branch's history, for the time of `use`: a full clone without a work tree, since a shallow
 * one would forget exactly the history asked for.
 */
export async function withHistory<T>(
  opts: { repoUrl: string; branch: string; auth?: GitAuth },
  use: (history: History) => Promise<T>,
): Promise<T> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gitops-history-'));
  try {
    await git
      .clone({
        fs,
        http,
        dir,
        url: opts.repoUrl,
        ref: opts.branch,
        singleBranch: true,
        noCheckout: true,
        onAuth: opts.auth ? () => opts.auth! : undefined,
      })
      .catch(error => {
        throw describeGitError(error, opts.repoUrl);
      });
    return await use({
      async versions(filepath, limit = 50) {
        const commits = await git
          .log({ fs, dir, ref: opts.branch, filepath, depth: limit })
          .catch(() => []);
        const versions: FileVersion[] = [];
        for (const c of commits) {
          const blob = await git.readBlob({ fs, dir, oid: c.oid, filepath }).catch(() => undefined);
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
        return git.resolveRef({ fs, dir, ref: opts.branch }).catch(() => undefined);
      },
      async filesUnder(folder) {
        const files = await git.listFiles({ fs, dir, ref: opts.branch }).catch(() => [] as string[]);
        return files.filter(f => f.startsWith(`${folder}/`));
      },
      async read(filepath) {
        const oid = await git.resolveRef({ fs, dir, ref: opts.branch }).catch(() => undefined);
        if (!oid) return undefined;
        const blob = await git.readBlob({ fs, dir, oid, filepath }).catch(() => undefined);
        return blob ? Buffer.from(blob.blob).toString('utf8') : undefined;
      },
      async includes(revision, commit) {
        if (revision === commit) return true;
        try {
          return await git.isDescendent({ fs, dir, oid: revision, ancestor: commit, depth: -1 });
        } catch {
          return undefined;
        }
      },
    });
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
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

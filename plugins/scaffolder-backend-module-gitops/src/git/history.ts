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

/**
 * Every version of one file on a branch, newest first: what a rollback may choose from.
 * A full clone, since a shallow one would forget exactly the history asked for.
 */
export async function fileHistory(opts: {
  repoUrl: string;
  branch: string;
  auth?: GitAuth;
  filepath: string;
  /** At most this many versions. */
  limit?: number;
}): Promise<FileVersion[]> {
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
    const commits = await git
      .log({ fs, dir, ref: opts.branch, filepath: opts.filepath, depth: opts.limit ?? 50 })
      .catch(() => []);
    const versions: FileVersion[] = [];
    for (const c of commits) {
      const blob = await git
        .readBlob({ fs, dir, oid: c.oid, filepath: opts.filepath })
        .catch(() => undefined);
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
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

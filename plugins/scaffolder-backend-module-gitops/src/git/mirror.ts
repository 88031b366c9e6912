import fs from 'fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import os from 'os';
import path from 'path';
import { randomUUID } from 'crypto';
import { gitAuthOptions, type GitAuth } from '@internal/plugin-platform-node';

/** Desired content per path; `null` removes the file. */
export type FileChanges = Map<string, string | null>;

/** Reads a file of a commit's tree, or undefined when absent. */
export type TreeReader = (filePath: string) => Promise<string | undefined>;

/** Lists the files under a folder of a commit's tree, recursively, as repository paths. */
export type FolderLister = (folder: string) => Promise<string[]>;

type TreeEntry = {
  mode: string;
  path: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
};

// A GitOps repository's tree objects and files are a few KB each.
const MEMO_MAX_OBJECTS = 50_000;
const MEMO_MAX_BLOB_CHARS = 64 * 1024 * 1024;

/**
 * Trees, blobs and commits' trees already read, by object id. isomorphic-git inflates and
 * checks the SHA-1 of an object on every read and walks the path from the root tree for every
 * file, and a batch reads the same service's files once per request; objects never change, so
 * what was read once is kept, up to a bound.
 */
class ObjectMemo {
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly blobs = new Map<string, string>();
  private readonly rootTrees = new Map<string, string>();
  private blobChars = 0;

  /** The mirror's folder, and isomorphic-git's cache of its pack files. */
  readonly cache: object = {};

  constructor(readonly dir: string) {}

  async rootTree(commit: string): Promise<string> {
    let tree = this.rootTrees.get(commit);
    if (!tree) {
      tree = (await git.readCommit({ fs, gitdir: this.dir, oid: commit, cache: this.cache })).commit.tree;
      this.remember(this.rootTrees, commit, tree);
    }
    return tree;
  }

  async tree(oid: string): Promise<TreeEntry[]> {
    let entries = this.trees.get(oid);
    if (!entries) {
      entries = (await git.readTree({ fs, gitdir: this.dir, oid, cache: this.cache })).tree as TreeEntry[];
      this.remember(this.trees, oid, entries);
    }
    return entries;
  }

  async blob(oid: string): Promise<string> {
    let text = this.blobs.get(oid);
    if (text === undefined) {
      const { blob } = await git.readBlob({ fs, gitdir: this.dir, oid, cache: this.cache });
      text = Buffer.from(blob).toString('utf8');
      if (this.blobChars + text.length > MEMO_MAX_BLOB_CHARS) {
        this.blobs.clear();
        this.blobChars = 0;
      }
      this.blobs.set(oid, text);
      this.blobChars += text.length;
    }
    return text;
  }

  /** The entry at `filepath` of a commit's tree, or undefined when there is none. */
  async entry(commit: string, filepath: string): Promise<TreeEntry | undefined> {
    let entry: TreeEntry = { mode: '040000', path: '', oid: await this.rootTree(commit), type: 'tree' };
    for (const name of filepath.split('/').filter(Boolean)) {
      if (entry.type !== 'tree') return undefined;
      const next = (await this.tree(entry.oid)).find(e => e.path === name);
      if (!next) return undefined;
      entry = next;
    }
    return entry;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V) {
    if (map.size >= MEMO_MAX_OBJECTS) map.clear();
    map.set(key, value);
  }
}

// After this many fetches a mirror starts again from one clone: every fetch adds a pack, and
// isomorphic-git has no gc to fold them together.
const FETCHES_BEFORE_RECLONE = 200;

// One folder per user: a shared temp folder may hold another user's, which this one can
// neither write in nor clean up (the image runs as uid 1000; a developer's shell as another).
/** The folder that holds each process's folder of mirrors. */
export const MIRRORS_ROOT = path.join(os.tmpdir(), `gitops-mirrors-${os.userInfo().uid}`);
const root = MIRRORS_ROOT;
let ownRoot: string | undefined;

/** This process's folder of mirrors; folders of processes that are gone are removed. */
function mirrorsRoot(): string {
  if (ownRoot) return ownRoot;
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  for (const name of fs.readdirSync(root)) {
    const pid = Number(name.split('-')[0]);
    if (pid && pid !== process.pid && !isAlive(pid)) {
      try {
        fs.rmSync(path.join(root, name), { recursive: true, force: true });
      } catch {
        // Cleaning up after a process that is gone is a courtesy; the mirror does not need it.
      }
    }
  }
  ownRoot = fs.mkdtempSync(path.join(root, `${process.pid}-`));
  process.once('exit', () =>
    fs.rmSync(ownRoot!, { recursive: true, force: true }),
  );
  return ownRoot;
}

/** Whether the remote has a branch, without fetching. */
export async function remoteHasBranch(repoUrl: string, branch: string, auth?: GitAuth): Promise<boolean> {
  const info = await git.getRemoteInfo2({
    http,
    url: repoUrl,
    protocolVersion: 1,
    ...gitAuthOptions(auth),
  });
  return (info.refs ?? []).some(r => r.ref === `refs/heads/${branch}`);
}

function isHostAnswer(error: any): boolean {
  const code = error?.code ?? error?.cause?.code;
  return (
    code === 'HttpError' ||
    code === 'SmartHttpError' ||
    ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT'].includes(code)
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: any) {
    return error?.code === 'EPERM';
  }
}

/**
 * The branch as one fetch found it: `commit` is its head, undefined for a branch that does not
 * exist yet. Objects never change, so a snapshot stays readable while later fetches run.
 */
export class MirrorSnapshot {
  constructor(
    readonly commit: string | undefined,
    private readonly objects: ObjectMemo,
  ) {}

  /** A file of `commit`; every file is absent when `commit` is undefined. */
  readonly read: TreeReader = async filepath => {
    if (!this.commit) return undefined;
    const entry = await this.objects.entry(this.commit, filepath);
    return entry?.type === 'blob' ? this.objects.blob(entry.oid) : undefined;
  };

  /** The files under a folder of `commit`, recursively. */
  readonly list: FolderLister = async folder => {
    if (!this.commit) return [];
    const walk = async (oid: string, prefix: string): Promise<string[]> => {
      const files: string[] = [];
      for (const e of await this.objects.tree(oid)) {
        const p = `${prefix}/${e.path}`;
        if (e.type === 'tree') files.push(...(await walk(e.oid, p)));
        else if (e.type === 'blob') files.push(p);
      }
      return files;
    };
    const entry = await this.objects.entry(this.commit, folder);
    return entry?.type === 'tree' ? walk(entry.oid, folder.replace(/\/+$/, '')) : [];
  };

  /**
   * The tree of `commit` with `changes` applied, and the paths whose content really changed; a
   * change to what a path already holds is no change.
   */
  async applyChanges(
    changes: FileChanges,
  ): Promise<{ tree: string; changed: string[] }> {
    const changed: string[] = [];
    const rootTree = this.commit ? await this.objects.rootTree(this.commit) : undefined;
    const apply = async (
      treeOid: string | undefined,
      prefix: string,
      sub: FileChanges,
    ): Promise<string | undefined> => {
      const entries: TreeEntry[] = treeOid ? await this.objects.tree(treeOid) : [];
      const byName = new Map(entries.map(e => [e.path, e]));
      const nested = new Map<string, FileChanges>();
      for (const [p, content] of sub) {
        const [name, ...rest] = p.split('/');
        if (rest.length) {
          if (!nested.has(name)) nested.set(name, new Map());
          nested.get(name)!.set(rest.join('/'), content);
          continue;
        }
        const current = byName.get(name);
        if (content === null) {
          if (current) {
            byName.delete(name);
            changed.push(prefix + name);
          }
          continue;
        }
        const blob = Buffer.from(content, 'utf8');
        // Hashed first: an unchanged file needs no object written.
        const { oid } = await git.hashBlob({ object: blob });
        if (current?.type === 'blob' && current.oid === oid) continue;
        await git.writeBlob({ fs, gitdir: this.objects.dir, blob });
        byName.set(name, {
          mode: current?.type === 'blob' ? current.mode : '100644',
          path: name,
          oid,
          type: 'blob',
        });
        changed.push(prefix + name);
      }
      for (const [name, subChanges] of nested) {
        const current = byName.get(name);
        const oid = await apply(
          current?.type === 'tree' ? current.oid : undefined,
          `${prefix}${name}/`,
          subChanges,
        );
        if (oid === current?.oid) continue;
        if (oid)
          byName.set(name, { mode: '040000', path: name, oid, type: 'tree' });
        else byName.delete(name);
      }
      if (byName.size === 0) return undefined;
      return git.writeTree({
        fs,
        gitdir: this.objects.dir,
        tree: [...byName.values()],
      });
    };
    const tree =
      (await apply(rootTree, '', changes)) ??
      (await git.writeTree({ fs, gitdir: this.objects.dir, tree: [] }));
    return { tree, changed };
  }

  /**
   * Writes a commit of `tree` on `commit`, here only, and returns the snapshot at it: the
   * next change of a batch builds on it before anything is pushed.
   */
  async commitTree(opts: {
    tree: string;
    message: string;
    author: { name: string; email: string };
    committer: { name: string; email: string };
  }): Promise<MirrorSnapshot> {
    const sha = await git.commit({
      fs,
      gitdir: this.objects.dir,
      // Never moves a branch of the mirror: fetches own those.
      noUpdateBranch: true,
      tree: opts.tree,
      parent: this.commit ? [this.commit] : [],
      message: opts.message,
      author: opts.author,
      committer: opts.committer,
      cache: this.objects.cache,
    });
    return new MirrorSnapshot(sha, this.objects);
  }

  /** Pushes `commit` and what leads to it to `remoteBranch`, never forcing. */
  async push(remoteBranch: string, auth?: GitAuth): Promise<{ ok: boolean; error?: string }> {
    if (!this.commit) throw new Error('Nothing to push: the snapshot has no commit');
    // A ref of its own for each push, so that pushes to several branches never share one.
    const ref = `refs/heads/push-${randomUUID()}`;
    await git.writeRef({ fs, gitdir: this.objects.dir, ref, value: this.commit });
    try {
      const result = await git.push({
        fs,
        http,
        gitdir: this.objects.dir,
        remote: 'origin',
        ref,
        remoteRef: remoteBranch,
        ...gitAuthOptions(auth),
        cache: this.objects.cache,
      });
      return { ok: result.ok, error: result.error ?? undefined };
    } finally {
      await git.deleteRef({ fs, gitdir: this.objects.dir, ref }).catch(() => undefined);
    }
  }

  /** The object store's folder and cache, for reading history with isomorphic-git. */
  get store(): { gitdir: string; cache: object } {
    return { gitdir: this.objects.dir, cache: this.objects.cache };
  }
}

/**
 * One bare copy of a remote branch per backend process, brought up to date by a fetch before
 * each use. A fresh clone for every commit cost the whole branch each time, and the cost grew
 * with the repository; a fetch brings only what is new. Commits are written straight into the
 * object store from the tree they change, so there is no work tree to check out or clean.
 */
export class BranchMirror {
  private static readonly mirrors = new Map<string, BranchMirror>();

  static of(repoUrl: string, branch: string): BranchMirror {
    const key = `${repoUrl}#${branch}`;
    let mirror = BranchMirror.mirrors.get(key);
    if (!mirror) {
      mirror = new BranchMirror(repoUrl, branch);
      BranchMirror.mirrors.set(key, mirror);
    }
    return mirror;
  }

  private objects?: ObjectMemo;
  private fetches = 0;
  private lock: Promise<unknown> = Promise.resolve();
  private next?: Promise<MirrorSnapshot>;

  private constructor(readonly repoUrl: string, readonly branch: string) {}

  /** Fetches the branch and returns its head, or undefined when the remote has no such branch. */
  head(auth?: GitAuth): Promise<MirrorSnapshot> {
    // Fetches run one after another, as two at once would write the same refs. A caller that
    // arrives while one waits to start joins it: that fetch still starts after the call.
    if (this.next) return this.next;
    const next: Promise<MirrorSnapshot> = this.lock.then(async () => {
      if (this.next === next) this.next = undefined;
      try {
        return await this.fetchHead(auth);
      } catch (error: any) {
        // The Git host's own answers stand; anything else may be this copy's fault (a folder
        // removed under it, a half-written pack), so start once more from nothing.
        if (isHostAnswer(error)) throw error;
        this.reset();
        return this.fetchHead(auth);
      }
    });
    this.next = next;
    this.lock = next.catch(() => undefined);
    return next;
  }

  private async fetchHead(auth?: GitAuth): Promise<MirrorSnapshot> {
    if (this.fetches >= FETCHES_BEFORE_RECLONE) this.reset();
    if (!this.objects) {
      const gitdir = fs.mkdtempSync(path.join(mirrorsRoot(), 'branch-'));
      await git.init({ fs, gitdir, bare: true, defaultBranch: this.branch });
      await git.addRemote({ fs, gitdir, remote: 'origin', url: this.repoUrl });
      this.objects = new ObjectMemo(gitdir);
    }
    this.fetches++;
    const objects = this.objects;
    const gitdir = objects.dir;
    try {
      const result = await git.fetch({
        fs,
        http,
        gitdir,
        remote: 'origin',
        ref: this.branch,
        singleBranch: true,
        tags: false,
        ...gitAuthOptions(auth),
        cache: objects.cache,
      });
      // isomorphic-git tells the remote what it has from the local branch of that name only;
      // without it every fetch would download the whole repository again.
      if (result.fetchHead) {
        await git.writeRef({ fs, gitdir, ref: `refs/heads/${this.branch}`, value: result.fetchHead, force: true });
      }
      return new MirrorSnapshot(result.fetchHead ?? undefined, objects);
    } catch (error: any) {
      // An empty repository, or one without this branch yet: its first commit has no parent.
      // (A NotFoundError of this copy's own, such as a lost remote, is not that.)
      if (error?.code === 'NotFoundError' && !(await remoteHasBranch(this.repoUrl, this.branch, auth))) {
        return new MirrorSnapshot(undefined, objects);
      }
      throw error;
    }
  }

  /** Starts again from nothing on the next use: after a failure that may have left it half-written. */
  reset() {
    const old = this.objects?.dir;
    // Readers may still be on a commit of the old copy for a moment.
    if (old)
      setTimeout(
        () => fs.rmSync(old, { recursive: true, force: true }),
        60_000,
      ).unref();
    this.objects = undefined;
    this.fetches = 0;
  }
}


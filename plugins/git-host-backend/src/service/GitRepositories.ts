import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  RepoName,
  explainInvalidFilePath,
  explainInvalidRef,
  parseRepoName,
  repoDirectory,
} from './repoPaths';
import { gitEnvironment, runGit, tryGit } from './runGit';

const DEFAULT_BRANCH = 'main';

const INITIAL_COMMIT_AUTHOR = {
  GIT_AUTHOR_NAME: 'Git host',
  GIT_AUTHOR_EMAIL: 'git-host@localhost',
  GIT_COMMITTER_NAME: 'Git host',
  GIT_COMMITTER_EMAIL: 'git-host@localhost',
};

/** Settings every hosted repository gets, whoever created it. */
const REPOSITORY_CONFIG: Array<[string, string]> = [
  ['http.receivepack', 'true'],
  // isomorphic-git with `force: true` and `git push --force` would otherwise
  // silently replace history, e.g. someone else's GitOps commit.
  ['receive.denyNonFastForwards', 'true'],
  // Bare repositories keep no reflog by default; one makes mistakes recoverable.
  ['core.logAllRefUpdates', 'true'],
];

export interface HostedFile {
  repo: RepoName;
  ref: string;
  path: string;
  oid: string;
  size: number;
}

/** The bare repositories under the Git host root, and the git operations on them. */
export class GitRepositories {
  readonly #root: string;
  readonly #scratch: string;
  readonly #template: string;

  static async open(options: { root: string }): Promise<GitRepositories> {
    const root = path.resolve(options.root);
    // Temporary repositories are built next to their final place so that
    // publishing one is a single rename on the same filesystem.
    const scratch = path.join(root, '.tmp');
    await fs.mkdir(scratch, { recursive: true });
    // `git init --template` copies the template's config into each new
    // repository: one git process per repository instead of one per setting
    // (each spawn forks the whole backend process). The template is named
    // after its settings, so it is never changed under a replica sharing root.
    const settings = createHash('sha256')
      .update(JSON.stringify(REPOSITORY_CONFIG))
      .digest('hex')
      .slice(0, 12);
    const template = path.join(root, `.template-${settings}`);
    if (!(await isFile(path.join(template, 'config')))) {
      const draft = await fs.mkdtemp(path.join(scratch, 'template-'));
      try {
        for (const [key, value] of REPOSITORY_CONFIG) {
          await runGit(['config', '--file', path.join(draft, 'config'), key, value]);
        }
        await fs.rename(draft, template).catch(error => {
          // Another replica made it first.
          if (!['ENOTEMPTY', 'EEXIST'].includes(error.code)) throw error;
        });
      } finally {
        await fs.rm(draft, { recursive: true, force: true });
      }
    }
    return new GitRepositories(root, scratch, template);
  }

  private constructor(root: string, scratch: string, template: string) {
    this.#root = root;
    this.#scratch = scratch;
    this.#template = template;
  }

  get root(): string {
    return this.#root;
  }

  directoryOf(repo: RepoName): string {
    return repoDirectory(this.#root, repo);
  }

  async exists(repo: RepoName): Promise<boolean> {
    try {
      const head = await fs.stat(path.join(this.directoryOf(repo), 'HEAD'));
      return head.isFile();
    } catch {
      return false;
    }
  }

  /**
   * Creates an empty bare repository unless it exists. Safe to race: the
   * repository is prepared aside and renamed into place, and a loser of the
   * race simply finds the winner's repository.
   */
  async createEmpty(repo: RepoName): Promise<boolean> {
    return this.#create(repo, async () => {});
  }

  /** Creates a repository with one commit on main holding a README.md, unless it exists. */
  async createWithReadme(repo: RepoName): Promise<boolean> {
    return this.#create(repo, async bareDirectory => {
      const work = await fs.mkdtemp(path.join(this.#scratch, 'work-'));
      try {
        await runGit([
          'init',
          '--quiet',
          `--initial-branch=${DEFAULT_BRANCH}`,
          work,
        ]);
        await fs.writeFile(
          path.join(work, 'README.md'),
          `# ${repo.name}\n\nCreated by the portal's embedded Git host.\n`,
        );
        await runGit(['add', 'README.md'], { cwd: work });
        await runGit(
          [
            '-c',
            'commit.gpgsign=false',
            'commit',
            '--quiet',
            '--no-verify',
            '-m',
            'Initial commit',
          ],
          { cwd: work, env: INITIAL_COMMIT_AUTHOR },
        );
        await runGit(
          [
            'push',
            '--quiet',
            bareDirectory,
            `${DEFAULT_BRANCH}:refs/heads/${DEFAULT_BRANCH}`,
          ],
          { cwd: work },
        );
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    });
  }

  async #create(
    repo: RepoName,
    populate: (bareDirectory: string) => Promise<void>,
  ): Promise<boolean> {
    if (await this.exists(repo)) return false;
    const directory = this.directoryOf(repo);
    await fs.mkdir(path.dirname(directory), { recursive: true });
    const staging = await fs.mkdtemp(path.join(this.#scratch, 'repo-'));
    try {
      await runGit([
        'init',
        '--quiet',
        '--bare',
        `--initial-branch=${DEFAULT_BRANCH}`,
        `--template=${this.#template}`,
        staging,
      ]);
      await populate(staging);
      try {
        await fs.rename(staging, directory);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
        throw error;
      }
      return true;
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
  }

  /** Every hosted repository, sorted by name. */
  async list(): Promise<RepoName[]> {
    const found: RepoName[] = [];
    for (const entry of await readDirectories(this.#root)) {
      if (entry.endsWith('.git')) {
        await this.#collect(entry.slice(0, -'.git'.length), found);
      } else {
        for (const child of await readDirectories(
          path.join(this.#root, entry),
        )) {
          if (child.endsWith('.git')) {
            await this.#collect(
              `${entry}/${child.slice(0, -'.git'.length)}`,
              found,
            );
          }
        }
      }
    }
    return found.sort((a, b) => a.name.localeCompare(b.name));
  }

  async #collect(name: string, found: RepoName[]): Promise<void> {
    let repo: RepoName;
    try {
      repo = parseRepoName(name);
    } catch {
      return; // not something this host would have created or could serve
    }
    if (await this.exists(repo)) found.push(repo);
  }

  /**
   * Finds `<repo>/<ref>/<file>` given the decoded segments of a raw URL.
   * Both the repository (one or two segments) and the ref (which may contain
   * "/") are ambiguous in such a URL, so the two-segment repository is tried
   * first and then ref candidates from the shortest up, like GitHub does.
   */
  async findFile(segments: readonly string[]): Promise<HostedFile> {
    for (const segment of segments) {
      if (segment === '' || segment === '.' || segment === '..') {
        throw new InputError(
          'Raw paths must not contain empty, "." or ".." segments',
        );
      }
    }
    const repoAndRest = await this.#findRepo(segments);
    if (!repoAndRest) {
      throw new NotFoundError(`No repository matches /${segments.join('/')}`);
    }
    const { repo, rest } = repoAndRest;
    if (rest.length < 2) {
      throw new InputError('Expected /raw/<repository>/<ref>/<file path>');
    }

    const candidates: Array<{ ref: string; path: string }> = [];
    let firstProblem: string | undefined;
    for (let split = 1; split < rest.length; split++) {
      const ref = rest.slice(0, split).join('/');
      const fileSegments = rest.slice(split);
      const problem =
        (explainInvalidRef(ref) && `ref "${ref}" ${explainInvalidRef(ref)}`) ||
        (explainInvalidFilePath(fileSegments) &&
          `file path ${explainInvalidFilePath(fileSegments)}`);
      if (problem) {
        firstProblem ??= problem;
        continue;
      }
      candidates.push({ ref, path: fileSegments.join('/') });
    }
    if (candidates.length === 0) {
      throw new InputError(`Invalid raw path: ${firstProblem}`);
    }

    // One batch lookup answers, for every candidate, whether the ref exists
    // and what the path names in it.
    const input = candidates
      .flatMap(c => [`${c.ref}^{commit}`, `${c.ref}:${c.path}`])
      .join('\n');
    const { stdout } = await tryGit(
      ['--git-dir', this.directoryOf(repo), 'cat-file', '--batch-check'],
      { input: `${input}\n` },
    );
    const answers = stdout.split('\n');
    let refFound: string | undefined;
    for (const [index, candidate] of candidates.entries()) {
      const commit = parseBatchCheck(answers[index * 2]);
      if (!commit) continue;
      refFound ??= candidate.ref;
      const object = parseBatchCheck(answers[index * 2 + 1]);
      if (object?.type === 'blob') {
        return { repo, ...candidate, oid: object.oid, size: object.size };
      }
    }
    if (refFound) {
      const filePath = rest.slice(refFound.split('/').length).join('/');
      throw new NotFoundError(
        `File "${filePath}" not found at "${refFound}" in repository ${repo.name}`,
      );
    }
    throw new NotFoundError(
      `Ref "${candidates[0].ref}" not found in repository ${repo.name}`,
    );
  }

  async #findRepo(
    segments: readonly string[],
  ): Promise<{ repo: RepoName; rest: readonly string[] } | undefined> {
    if (segments.length >= 4) {
      const two = tryParseRepoName(segments.slice(0, 2).join('/'));
      if (two && (await this.exists(two))) {
        return { repo: two, rest: segments.slice(2) };
      }
    }
    const one = parseRepoName(segments[0]);
    if (await this.exists(one)) return { repo: one, rest: segments.slice(1) };
    return undefined;
  }

  /** Streams the content of a blob found with {@link GitRepositories.findFile}. */
  openBlob(file: HostedFile): Readable {
    const child = spawn(
      'git',
      ['--git-dir', this.directoryOf(file.repo), 'cat-file', 'blob', file.oid],
      { env: gitEnvironment(), stdio: ['ignore', 'pipe', 'ignore'] },
    );
    child.on('error', error => child.stdout.destroy(error));
    child.on('close', code => {
      if (code !== 0) {
        child.stdout.destroy(new Error(`git cat-file exited with ${code}`));
      }
    });
    return child.stdout;
  }
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then(
    stat => stat.isFile(),
    () => false,
  );
}

function tryParseRepoName(name: string): RepoName | undefined {
  try {
    return parseRepoName(name);
  } catch {
    return undefined;
  }
}

/** `<oid> <type> <size>`, or `<name> missing` / `<name> ambiguous`. */
function parseBatchCheck(
  line: string | undefined,
): { oid: string; type: string; size: number } | undefined {
  const match = line?.match(/^([0-9a-f]{40,64}) (\w+) (\d+)$/);
  if (!match) return undefined;
  return { oid: match[1], type: match[2], size: Number(match[3]) };
}

async function readDirectories(directory: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(directory, { withFileTypes: true });
    return entries
      .filter(e => e.isDirectory() && !e.name.startsWith('.'))
      .map(e => e.name);
  } catch {
    return [];
  }
}

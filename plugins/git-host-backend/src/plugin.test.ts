import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';

/** A backend plugin's push: a service token as the Basic password. */
const pushAuth = () => ({ username: 'backstage', password: mockCredentials.service.token() });
import git from 'isomorphic-git';
import gitHttp from 'isomorphic-git/http/node';
import { gitHostPlugin } from './plugin';

// A real backend and real HTTP servers: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(30_000);

const execFileAsync = promisify(execFile);

const AUTHOR = { name: 'Test', email: 'test@example.com' };

const CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: demo
spec:
  type: service
  lifecycle: experimental
  owner: group:default/payments-team
`;

const scratchDirectories: string[] = [];

async function scratch(prefix: string): Promise<string> {
  const directory = await fs.promises.mkdtemp(
    path.join(os.tmpdir(), `git-host-${prefix}-`),
  );
  scratchDirectories.push(directory);
  return directory;
}

afterAll(async () => {
  await Promise.all(
    scratchDirectories.map(d =>
      fs.promises.rm(d, { recursive: true, force: true }),
    ),
  );
});

type GitHostTestConfig = {
  enabled?: boolean;
  root?: string;
  initialRepositories?: string[];
  basicAuth?: { username: string; password: string };
};

async function startGitHost(gitHost?: GitHostTestConfig) {
  const backend = await startTestBackend({
    features: [
      gitHostPlugin,
      mockServices.rootConfig.factory({ data: gitHost ? { gitHost } : {} }),
    ],
  });
  const baseUrl = `http://127.0.0.1:${backend.server.port()}/api/git-host`;
  return { backend, baseUrl };
}

/** Sends the path exactly as given: fetch() would normalise "..". */
function rawRequest(
  url: string,
  rawPath: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, path: rawPath, method: 'GET' },
      res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function commitFile(
  dir: string,
  file: string,
  content: string,
  message: string,
) {
  await fs.promises.mkdir(path.dirname(path.join(dir, file)), {
    recursive: true,
  });
  await fs.promises.writeFile(path.join(dir, file), content);
  await git.add({ fs, dir, filepath: file });
  return git.commit({ fs, dir, message, author: AUTHOR });
}

async function newLocalRepo(
  files: Record<string, string>,
): Promise<{ dir: string; sha: string }> {
  const dir = await scratch('work');
  await git.init({ fs, dir, defaultBranch: 'main' });
  let sha = '';
  for (const [file, content] of Object.entries(files)) {
    sha = await commitFile(dir, file, content, `Add ${file}`);
  }
  return { dir, sha };
}

async function cloneTo(
  url: string,
  extra: Partial<Parameters<typeof git.clone>[0]> = {},
) {
  const dir = await scratch('clone');
  await git.clone({
    fs,
    http: gitHttp,
    dir,
    url,
    singleBranch: true,
    ...extra,
  });
  return dir;
}

function serverTip(root: string, repo: string): Promise<string> {
  return execFileAsync('git', [
    '--git-dir',
    path.join(root, `${repo}.git`),
    'rev-parse',
    'main',
  ]).then(r => r.stdout.trim());
}

describe('git-host plugin', () => {
  let root: string;
  let baseUrl: string;

  beforeAll(async () => {
    const parent = await scratch('root');
    root = path.join(parent, 'repositories');
    ({ baseUrl } = await startGitHost({ enabled: true, root }));
    // The repository most tests read from; each test that pushes uses its own.
    const demo = await newLocalRepo({ 'catalog-info.yaml': CATALOG_INFO });
    await git.push({
      onAuth: pushAuth,
      fs,
      http: gitHttp,
      dir: demo.dir,
      url: `${baseUrl}/contoso/demo.git`,
      ref: 'main',
    });
  });

  it('creates a repository on first push and clones it back', async () => {
    const url = `${baseUrl}/contoso/first-push.git`;
    const local = await newLocalRepo({ 'catalog-info.yaml': CATALOG_INFO });

    const result = await git.push({
      onAuth: pushAuth,
      fs,
      http: gitHttp,
      dir: local.dir,
      url,
      ref: 'main',
    });
    expect(result.ok).toBe(true);
    expect(result.refs['refs/heads/main']).toEqual({ ok: true, error: '' });

    const bare = path.join(root, 'contoso', 'first-push.git');
    expect(fs.existsSync(path.join(bare, 'HEAD'))).toBe(true);
    const { stdout: receivePack } = await execFileAsync('git', [
      '--git-dir',
      bare,
      'config',
      'http.receivepack',
    ]);
    expect(receivePack.trim()).toBe('true');
    expect(await serverTip(root, 'contoso/first-push')).toBe(local.sha);

    const clone = await cloneTo(url);
    expect(await git.resolveRef({ fs, dir: clone, ref: 'HEAD' })).toBe(
      local.sha,
    );
    expect(
      await fs.promises.readFile(path.join(clone, 'catalog-info.yaml'), 'utf8'),
    ).toBe(CATALOG_INFO);
  });

  it('creates a repository once when two pushes race to create it', async () => {
    const responses = await Promise.all(
      [1, 2, 3].map(() =>
        fetch(
          `${baseUrl}/contoso/created-twice.git/info/refs?service=git-receive-pack`,
          { headers: { Authorization: `Bearer ${mockCredentials.service.token()}` } },
        ),
      ),
    );
    expect(responses.map(r => r.status)).toEqual([200, 200, 200]);
    expect(await fs.promises.readdir(path.join(root, 'contoso'))).toContain(
      'created-twice.git',
    );
    expect(await fs.promises.readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('answers 404 when fetching a repository that does not exist, and creates nothing', async () => {
    await expect(
      git.clone({
        fs,
        http: gitHttp,
        dir: await scratch('clone'),
        url: `${baseUrl}/contoso/missing.git`,
      }),
    ).rejects.toMatchObject({ code: 'HttpError', data: { statusCode: 404 } });
    expect(fs.existsSync(path.join(root, 'contoso', 'missing.git'))).toBe(
      false,
    );
  });

  it('reads raw files for the catalog', async () => {
    const ok = await fetch(
      `${baseUrl}/raw/contoso/demo/main/catalog-info.yaml`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await ok.text()).toBe(CATALOG_INFO);

    // Unchanged content is answered from the ETag without a body.
    const etag = ok.headers.get('etag')!;
    const again = await fetch(
      `${baseUrl}/raw/contoso/demo/main/catalog-info.yaml`,
      {
        headers: { 'If-None-Match': etag },
      },
    );
    expect(again.status).toBe(304);

    const sha = await serverTip(root, 'contoso/demo');
    const bySha = await fetch(
      `${baseUrl}/raw/contoso/demo/${sha}/catalog-info.yaml`,
    );
    expect(await bySha.text()).toBe(CATALOG_INFO);

    const missingFile = await fetch(
      `${baseUrl}/raw/contoso/demo/main/nope.yaml`,
    );
    expect(missingFile.status).toBe(404);
    expect((await missingFile.json()).error.message).toBe(
      'File "nope.yaml" not found at "main" in repository contoso/demo',
    );

    const missingRef = await fetch(
      `${baseUrl}/raw/contoso/demo/release/catalog-info.yaml`,
    );
    expect(missingRef.status).toBe(404);
    expect((await missingRef.json()).error.message).toContain(
      'Ref "release" not found',
    );

    const missingRepo = await fetch(
      `${baseUrl}/raw/contoso/nothing/main/catalog-info.yaml`,
    );
    expect(missingRepo.status).toBe(404);
  });

  it('reads raw files on branches whose names contain slashes', async () => {
    const url = `${baseUrl}/contoso/demo.git`;
    const clone = await cloneTo(url);
    await git.branch({ fs, dir: clone, ref: 'feature/docs', checkout: true });
    await commitFile(clone, 'docs/index.md', '# Docs\n', 'Add docs');
    await git.push({
      onAuth: pushAuth, fs, http: gitHttp, dir: clone, url, ref: 'feature/docs' });

    const res = await fetch(
      `${baseUrl}/raw/contoso/demo/feature/docs/docs/index.md`,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('# Docs\n');
  });

  it('lists repositories', async () => {
    const res = await fetch(`${baseUrl}/repos`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.repositories).toContainEqual({
      name: 'contoso/demo',
      cloneUrl: expect.stringMatching(/\/api\/git-host\/contoso\/demo\.git$/),
    });
  });

  it('rejects paths that could leave the root before touching the filesystem', async () => {
    const parent = path.dirname(root);
    const before = await fs.promises.readdir(parent);
    const attempts = [
      '/api/git-host/../../escape.git/info/refs?service=git-receive-pack',
      '/api/git-host/%2e%2e/%2e%2e/escape.git/info/refs?service=git-receive-pack',
      '/api/git-host/..%2f..%2fescape.git/info/refs?service=git-receive-pack',
      '/api/git-host/contoso/..%2fescape.git/info/refs?service=git-receive-pack',
      `/api/git-host/${encodeURIComponent(
        parent,
      )}/escape.git/info/refs?service=git-receive-pack`,
      '/api/git-host//tmp/escape.git/info/refs?service=git-receive-pack',
      '/api/git-host/a/b/escape.git/info/refs?service=git-receive-pack',
      '/api/git-host/Contoso/Escape.git/info/refs?service=git-receive-pack',
      '/api/git-host/-escape.git/info/refs?service=git-receive-pack',
      '/api/git-host/raw/../../etc/passwd',
      '/api/git-host/raw/contoso/demo/main/../../../../etc/passwd',
      '/api/git-host/raw/contoso/demo/main/%2e%2e/%2e%2e/etc/passwd',
      '/api/git-host/raw/contoso/demo/-main/catalog-info.yaml',
      '/api/git-host/raw/contoso/demo/main~1/catalog-info.yaml',
    ];
    for (const attempt of attempts) {
      const res = await rawRequest(baseUrl, attempt);
      expect({ attempt, status: res.status }).toEqual({ attempt, status: 400 });
    }
    expect(await fs.promises.readdir(parent)).toEqual(before);
    expect(fs.existsSync('/escape.git')).toBe(false);
    expect(fs.existsSync(path.join(root, 'escape.git'))).toBe(false);
  });

  it('only serves smart HTTP', async () => {
    const res = await fetch(`${baseUrl}/contoso/demo.git/info/refs`);
    expect(res.status).toBe(400);
  });

  it('rejects a non-fast-forward push and keeps the first commit', async () => {
    const url = `${baseUrl}/contoso/race.git`;
    const origin = await newLocalRepo({ 'README.md': 'base\n' });
    await git.push({
      onAuth: pushAuth, fs, http: gitHttp, dir: origin.dir, url, ref: 'main' });

    const first = await cloneTo(url);
    const second = await cloneTo(url);
    const firstSha = await commitFile(
      first,
      'a.txt',
      'first\n',
      'First change',
    );
    await git.push({
      onAuth: pushAuth, fs, http: gitHttp, dir: first, url, ref: 'main' });
    await commitFile(second, 'b.txt', 'second\n', 'Second change');

    // isomorphic-git sees that the remote tip is not in its history and refuses locally.
    await expect(
      git.push({
      onAuth: pushAuth, fs, http: gitHttp, dir: second, url, ref: 'main' }),
    ).rejects.toMatchObject({
      code: 'PushRejectedError',
      data: { reason: 'not-fast-forward' },
    });

    // Forcing skips that local check; the server's receive.denyNonFastForwards refuses.
    const forced = git.push({
      onAuth: pushAuth,
      fs,
      http: gitHttp,
      dir: second,
      url,
      ref: 'main',
      force: true,
    });
    await expect(forced).rejects.toMatchObject({
      code: 'GitPushError',
      data: {
        result: {
          ok: true,
          refs: { 'refs/heads/main': { ok: false, error: 'non-fast-forward' } },
        },
      },
    });

    expect(await serverTip(root, 'contoso/race')).toBe(firstSha);
  });

  it('lets git itself decide between two racing pushes', async () => {
    const url = `${baseUrl}/contoso/race-cas.git`;
    const origin = await newLocalRepo({ 'README.md': 'base\n' });
    await git.push({
      onAuth: pushAuth, fs, http: gitHttp, dir: origin.dir, url, ref: 'main' });
    const winner = await cloneTo(url);
    const loser = await cloneTo(url);
    const winnerSha = await commitFile(winner, 'w.txt', 'winner\n', 'Winner');
    await commitFile(loser, 'l.txt', 'loser\n', 'Loser');

    // The loser has read the refs and is about to send its pack when the winner lands:
    // its update is a fast-forward of what it saw, so only the server's atomic ref
    // update can reject it.
    const push = git.push({
      onAuth: pushAuth,
      fs,
      http: gitHttp,
      dir: loser,
      url,
      ref: 'main',
      onPrePush: async () => {
        await git.push({
      onAuth: pushAuth, fs, http: gitHttp, dir: winner, url, ref: 'main' });
        return true;
      },
    });
    await expect(push).rejects.toMatchObject({
      code: 'GitPushError',
      data: {
        result: {
          ok: true,
          refs: {
            'refs/heads/main': { ok: false, error: 'failed to update ref' },
          },
        },
      },
    });
    expect(await serverTip(root, 'contoso/race-cas')).toBe(winnerSha);
  });

  it('works with the git CLI, including protocol v2 and push-to-create', async () => {
    const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
    const gitCli = (args: string[], cwd?: string) =>
      execFileAsync(
        'git',
        [
          '-c',
          'user.name=Test',
          '-c',
          'user.email=test@example.com',
          '-c',
          'protocol.version=2',
          ...args,
        ],
        { cwd, env },
      );
    const clone = path.join(await scratch('cli'), 'demo');
    await gitCli(['clone', '--quiet', `${baseUrl}/contoso/demo.git`, clone]);
    expect(
      await fs.promises.readFile(path.join(clone, 'catalog-info.yaml'), 'utf8'),
    ).toBe(CATALOG_INFO);

    // Incompressible content above http.postBuffer makes git stream the pack
    // with chunked transfer encoding and no Content-Length.
    const blob = randomBytes(256 * 1024);
    await fs.promises.writeFile(path.join(clone, 'blob.bin'), blob);
    await gitCli(['add', 'blob.bin'], clone);
    await gitCli(['commit', '--quiet', '-m', 'Add a blob'], clone);
    await gitCli(
      [
        '-c',
        'http.postBuffer=65536',
        // A CI job's git CLI sends its Backstage token as a header.
        '-c',
        `http.extraHeader=Authorization: Bearer ${mockCredentials.service.token()}`,
        'push',
        '--quiet',
        `${baseUrl}/contoso/from-cli.git`,
        'main',
      ],
      clone,
    );
    const res = await fetch(
      `${baseUrl}/raw/contoso/from-cli/main/catalog-info.yaml`,
    );
    expect(await res.text()).toBe(CATALOG_INFO);
    const pushedBlob = await fetch(
      `${baseUrl}/raw/contoso/from-cli/main/blob.bin`,
    );
    expect(Buffer.from(await pushedBlob.arrayBuffer()).equals(blob)).toBe(true);
  });

  it('inflates gzip-encoded request bodies', async () => {
    const sha = await serverTip(root, 'contoso/demo');
    const pkt = (line: string) =>
      `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
    const body = `${pkt(`want ${sha} ofs-delta\n`)}0000${pkt('done\n')}`;
    const res = await fetch(`${baseUrl}/contoso/demo.git/git-upload-pack`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-git-upload-pack-request',
        'Content-Encoding': 'gzip',
      },
      body: gzipSync(Buffer.from(body)),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/x-git-upload-pack-result',
    );
    const pack = Buffer.from(await res.arrayBuffer());
    expect(pack.subarray(0, 8).toString()).toBe('0008NAK\n');
    expect(pack.subarray(8, 12).toString()).toBe('PACK');
  });
});

describe('git-host plugin with basic auth', () => {
  const credentials = { username: 'portal', password: 's3cret-pa55' };
  let baseUrl: string;

  beforeAll(async () => {
    const root = await scratch('auth');
    ({ baseUrl } = await startGitHost({
      enabled: true,
      root,
      basicAuth: credentials,
    }));
  });

  it('answers 401 with a Basic challenge without credentials', async () => {
    const res = await fetch(
      `${baseUrl}/contoso/secure.git/info/refs?service=git-receive-pack`,
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="git-host"');

    const wrong = await fetch(`${baseUrl}/repos`, {
      headers: {
        Authorization: `Basic ${Buffer.from('portal:wrong').toString(
          'base64',
        )}`,
      },
    });
    expect(wrong.status).toBe(401);

    const local = await newLocalRepo({ 'README.md': 'secure\n' });
    await expect(
      git.push({
      onAuth: pushAuth,
        fs,
        http: gitHttp,
        dir: local.dir,
        url: `${baseUrl}/contoso/secure.git`,
        ref: 'main',
      }),
    ).rejects.toMatchObject({ code: 'HttpError', data: { statusCode: 401 } });
  });

  it('serves pushes and clones with credentials from onAuth', async () => {
    const url = `${baseUrl}/contoso/secure.git`;
    const local = await newLocalRepo({ 'README.md': 'secure\n' });
    const onAuth = () => credentials;
    const result = await git.push({
      fs,
      http: gitHttp,
      dir: local.dir,
      url,
      ref: 'main',
      onAuth,
    });
    expect(result.ok).toBe(true);
    const clone = await cloneTo(url, { onAuth });
    expect(await git.resolveRef({ fs, dir: clone, ref: 'HEAD' })).toBe(
      local.sha,
    );
  });
});

describe('git-host plugin pushes', () => {
  it('refuses a push with no token or a bad one, and creates nothing; reads stay open', async () => {
    const parent = await scratch('root');
    const root = path.join(parent, 'repositories');
    const { baseUrl } = await startGitHost({ enabled: true, root, initialRepositories: ['gitops'] });
    const local = await newLocalRepo({ 'README.md': 'sneaky\n' });
    const push = (onAuth?: () => { username: string; password: string }) =>
      git.push({ fs, http: gitHttp, dir: local.dir, url: `${baseUrl}/contoso/anonymous.git`, ref: 'main', onAuth, onAuthFailure: () => ({ cancel: true }) });
    await expect(push()).rejects.toMatchObject({ data: { statusCode: 401 } });
    await expect(push(() => ({ username: 'x', password: 'not-a-token' }))).rejects.toThrow();
    const raw = await fetch(`${baseUrl}/contoso/anonymous.git/info/refs?service=git-receive-pack`, {
      headers: { Authorization: `Basic ${Buffer.from('x:not-a-token').toString('base64')}` },
    });
    expect(raw.status).toBe(401);
    expect(await raw.text()).toContain('Pushing needs a Backstage token');
    expect(fs.existsSync(path.join(root, 'contoso', 'anonymous.git'))).toBe(false);
    const refs = await fetch(`${baseUrl}/gitops.git/info/refs?service=git-upload-pack`);
    expect(refs.status).toBe(200);
    const pushed = await git.push({ fs, http: gitHttp, dir: local.dir, url: `${baseUrl}/contoso/signed.git`, ref: 'main', onAuth: pushAuth });
    expect(pushed.ok).toBe(true);
  });
});

describe('git-host plugin when not enabled', () => {
  it('registers no routes', async () => {
    const root = path.join(await scratch('disabled'), 'repositories');
    const { baseUrl } = await startGitHost({ root });
    for (const route of [
      '/repos',
      '/gitops.git/info/refs?service=git-receive-pack',
      '/raw/gitops/main/README.md',
    ]) {
      const res = await fetch(`${baseUrl}${route}`, {
        headers: { Authorization: mockCredentials.user.header() },
      });
      expect({ route, status: res.status }).toEqual({ route, status: 404 });
    }
    expect(fs.existsSync(root)).toBe(false);
  });

  it('is off when there is no gitHost config at all', async () => {
    const { baseUrl } = await startGitHost();
    const res = await fetch(`${baseUrl}/repos`, {
      headers: { Authorization: mockCredentials.user.header() },
    });
    expect(res.status).toBe(404);
  });
});

describe('git-host plugin initial repositories', () => {
  it('creates each with a README commit, once', async () => {
    const root = await scratch('initial');
    const config = {
      enabled: true,
      root,
      initialRepositories: ['gitops', 'contoso/platform'],
    };
    const { baseUrl } = await startGitHost(config);

    const clone = await cloneTo(`${baseUrl}/gitops.git`);
    expect(
      await fs.promises.readFile(path.join(clone, 'README.md'), 'utf8'),
    ).toContain('# gitops');
    const log = await git.log({ fs, dir: clone });
    expect(log).toHaveLength(1);
    expect(log[0].commit.author).toMatchObject({
      name: 'Git host',
      email: 'git-host@localhost',
    });
    expect(await git.currentBranch({ fs, dir: clone })).toBe('main');

    const listing = await (await fetch(`${baseUrl}/repos`)).json();
    expect(listing.repositories.map((r: { name: string }) => r.name)).toEqual([
      'contoso/platform',
      'gitops',
    ]);

    // A restart on the same root keeps what is there.
    const tip = await serverTip(root, 'gitops');
    await startGitHost(config);
    expect(await serverTip(root, 'gitops')).toBe(tip);
  });

  it('refuses to start with an invalid repository name', async () => {
    const root = await scratch('invalid');
    await expect(
      startGitHost({ enabled: true, root, initialRepositories: ['../escape'] }),
    ).rejects.toThrow(/Invalid repository name/);
  });
});

import { BackendFeature } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import fs from 'fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import os from 'os';
import path from 'path';

/**
 * The embedded Git host, started for real on 127.0.0.1 with a `gitops` repository. The caller
 * passes the plugin (`gitHostPlugin` of `@internal/plugin-git-host-backend`): the fakes depend on
 * no backend plugin, so that any backend plugin can test with them without a dependency cycle.
 */
export async function startGitServer(gitHostPlugin: BackendFeature) {
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'git-root-'));
  const backend = await startTestBackend({
    features: [
      gitHostPlugin,
      mockServices.rootConfig.factory({
        data: {
          gitHost: { enabled: true, root, initialRepositories: ['gitops'] },
        },
      }),
    ],
  });
  const baseUrl = `http://127.0.0.1:${backend.server.port()}/api/git-host`;
  return {
    baseUrl,
    gitopsUrl: `${baseUrl}/gitops.git`,
    /** Where the host keeps its bare repositories: `<root>/<owner>/<name>.git`. */
    root,
    stop: async () => {
      await backend.stop();
      await fs.promises.rm(root, { recursive: true, force: true });
    },
  };
}

/** A fresh clone, for asserting on what was committed. */
export async function cloneRepo(url: string) {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clone-'));
  await git.clone({ fs, http, dir, url, ref: 'main', singleBranch: true });
  const log = await git.log({ fs, dir });
  return {
    dir,
    log,
    read: (p: string) => fs.promises.readFile(path.join(dir, p), 'utf8'),
    exists: (p: string) => fs.existsSync(path.join(dir, p)),
    cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}

export async function headOf(url: string): Promise<string> {
  const info = await git.getRemoteInfo({ http, url });
  return (info.refs as any).heads.main;
}

/** What a backend plugin sends when it pushes: a service token as the Basic password. */
export function pushAuth() {
  return { username: 'backstage', password: mockCredentials.service.token() };
}

/**
 * A commit pushed as someone working outside the portal would: clone, write `files` (`null`
 * removes one), commit, push. Returns the new head.
 */
export async function commitFiles(
  url: string,
  files: Record<string, string | null>,
  message: string,
  author = { name: 'Outside Editor', email: 'editor@contoso.example' },
): Promise<string> {
  const repo = await cloneRepo(url);
  try {
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(repo.dir, file);
      if (content === null) {
        await fs.promises.rm(target, { force: true });
        await git.remove({ fs, dir: repo.dir, filepath: file });
      } else {
        await fs.promises.mkdir(path.dirname(target), { recursive: true });
        await fs.promises.writeFile(target, content);
        await git.add({ fs, dir: repo.dir, filepath: file });
      }
    }
    const sha = await git.commit({ fs, dir: repo.dir, message, author });
    await git.push({ fs, http, dir: repo.dir, url, ref: 'main', onAuth: () => pushAuth() });
    return sha;
  } finally {
    await repo.cleanup();
  }
}

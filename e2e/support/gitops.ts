import {
  defaultPlatformConfig,
  renderService,
  serializeFile,
  serviceRequestSchema,
} from '@internal/plugin-gitops-common';
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

/** The portal's GitOps repository, as a bare repository of the embedded Git host's root. */
const bareRepository = () => path.join(process.env.E2E_GIT_ROOT!, 'gitops.git');

/**
 * A commit pushed straight into the GitOps repository, as an engineer with Git access and no
 * portal would: `git clone`, write, `git commit`, `git push`. `null` removes a file.
 */
export function commitOutsideThePortal(files: Record<string, string | null>, message: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-outside-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' }).trim();
  try {
    git('clone', '--quiet', bareRepository(), '.');
    for (const [file, content] of Object.entries(files)) {
      if (content === null) git('rm', '--quiet', file);
      else {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), content);
        git('add', file);
      }
    }
    git('-c', 'user.name=Outside Editor', '-c', 'user.email=editor@contoso.example', 'commit', '--quiet', '-m', message);
    git('push', '--quiet', 'origin', 'HEAD:main');
    return git('rev-parse', 'HEAD');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The files a service golden path would commit for `request`, by path. */
export function goldenPathFiles(request: Record<string, unknown>): Record<string, string> {
  const platform = defaultPlatformConfig({
    gitopsRepoUrl: 'http://localhost:7007/api/git-host/gitops.git',
  });
  return Object.fromEntries(
    renderService(serviceRequestSchema.parse(request), platform).map(f => [f.path, serializeFile(f)]),
  );
}

import fs from 'fs';
import os from 'os';
import path from 'path';
import { expect, test } from '@playwright/test';
import { cloneRepo } from '@internal/test-fakes/git';
import { guestToken, startProcessGroup, waitFor } from './support/backend';
import { serviceValues, startTask, taskLog, waitForTask } from './support/scaffolder';

// The image as scripts/image/assemble.mjs builds it by following the Dockerfile (scripts/test
// runs it first): its filesystem, and the WORKDIR, ENV, USER and CMD of its last stage.
const root = path.resolve(__dirname, '..');
const dir = process.env.E2E_IMAGE_DIR ?? path.join(root, '.image');
const described = path.join(dir, 'image.json');
const PORT = 7057;
const BASE = `http://localhost:${PORT}`;

type Image = { workdir: string; env: Record<string, string>; user?: string; cmd: string[] };

/** Runs `command` as the image runs its CMD: from its WORKDIR, with its ENV, as its USER. */
function runImage(image: Image, command: string[], env: NodeJS.ProcessEnv) {
  const cwd = path.join(dir, 'image', image.workdir);
  const [uid, gid] = (image.user ?? '0:0').split(':');
  // Only root may become the image's user; elsewhere the user is the caller.
  const asUser = process.getuid?.() === 0 && image.user
    ? ['setpriv', `--reuid=${uid}`, `--regid=${gid ?? uid}`, '--clear-groups']
    : [];
  const [program, ...args] = [...asUser, ...command];
  // The image's node is this machine's; its PATH is the only thing kept from this process.
  return startProcessGroup(
    program === 'node' ? process.execPath : program,
    args.map(a => (a === 'node' ? process.execPath : a)),
    { cwd, env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...image.env, ...env } },
  );
}

/** Every path under the image's filesystem, with its size and modification time. */
function snapshot(): string[] {
  const entries: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const s = fs.lstatSync(p);
      entries.push(`${path.relative(dir, p)} ${s.size} ${s.mtimeMs}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(path.join(dir, 'image'));
  return entries.sort();
}

test.describe('the image, assembled as the Dockerfile builds it', () => {
  test.skip(
    !fs.existsSync(described),
    `no assembled image at ${dir}: node scripts/image/assemble.mjs ${dir} (scripts/test runs it)`,
  );
  const image: Image = fs.existsSync(described) ? JSON.parse(fs.readFileSync(described, 'utf8')) : undefined;

  test('its CMD, as its user, refuses the production configuration with nothing set, naming what is missing', async () => {
    test.setTimeout(120_000);
    expect(image.user).toBe('1000:1000');
    expect(image.env.NODE_ENV).toBe('production');
    const modules = path.join(dir, 'image', image.workdir, 'node_modules');
    // The production install applied the repository's patches (.yarn/patches) and left out
    // what only builds and tests need.
    expect(fs.readFileSync(path.join(modules, 'isomorphic-git/index.cjs'), 'utf8')).toContain('listNewObjects');
    expect(fs.existsSync(path.join(modules, '@playwright/test'))).toBe(false);
    expect(fs.existsSync(path.join(modules, '@backstage/cli'))).toBe(false);
    const backend = runImage(image, image.cmd, {});
    try {
      const code = await Promise.race([
        backend.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(backend.output())), 100_000)),
      ]);
      expect(code).not.toBe(0);
      // Both config files are where the CMD names them, and the preflight is in the bundle.
      expect(backend.output()).toContain('refusing to start');
      expect(backend.output()).toMatch(/POSTGRES_HOST/);
    } finally {
      backend.stop();
    }
  });

  test('serves the portal in production mode as a non-root user, runs a golden path, and writes nothing in its filesystem', async ({ browser }) => {
    test.setTimeout(240_000);
    const before = snapshot();
    // What a pod would mount: a writable emptyDir for the Git host, and the example catalog.
    const gitRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-image-git-'));
    const [uid, gid] = (image.user ?? '').split(':').map(Number);
    if (process.getuid?.() === 0 && uid) fs.chownSync(gitRoot, uid, gid ?? uid);
    const locations = [
      { type: 'file', target: path.join(root, 'catalog/org.yaml'), rules: [{ allow: ['User', 'Group'] }] },
      { type: 'file', target: path.join(root, 'catalog/systems.yaml') },
      { type: 'file', target: path.join(root, 'templates/nodejs-service/template.yaml'), rules: [{ allow: ['Template'] }] },
    ];
    const backend = runImage(image, ['node', 'packages/backend', '--config', 'app-config.yaml'], {
      APP_CONFIG_backend_baseUrl: BASE,
      APP_CONFIG_backend_listen_port: String(PORT),
      APP_CONFIG_app_baseUrl: BASE,
      APP_CONFIG_backend_reading_allow: JSON.stringify([{ host: `localhost:${PORT}`, paths: ['/api/git-host/raw/'] }]),
      APP_CONFIG_gitHost_root: gitRoot,
      APP_CONFIG_gitops_repoUrl: `${BASE}/api/git-host/gitops.git`,
      APP_CONFIG_gitops_repositories_baseUrl: `${BASE}/api/git-host/contoso`,
      APP_CONFIG_catalog_locations: JSON.stringify(locations),
      // The examples sign in as the guest, which production mode allows only when told.
      APP_CONFIG_auth_providers_guest_dangerouslyAllowOutsideDevelopment: 'true',
      APP_CONFIG_health_podListWorkers: '1',
      LOG_LEVEL: 'info',
    });
    try {
      await waitFor(
        'readiness',
        async () => {
          if (backend.output().includes('refusing to start')) throw new Error(backend.output());
          return (await fetch(`${BASE}/.backstage/health/v1/readiness`)).ok ? true : undefined;
        },
        180_000,
      ).catch(error => {
        throw new Error(`${error}\n${backend.output().slice(-6000)}`);
      });
      expect((await fetch(`${BASE}/.backstage/health/v1/liveness`)).status).toBe(200);
      // The pod-list worker thread loads from the bundle, not only from the sources.
      expect(backend.output()).not.toContain('a worker thread could not run');

      // A golden path end to end: scaffolder, GitOps actions, isomorphic-git (with its patch)
      // and the Git host, as the image holds them.
      await waitFor(
        'the template',
        async () => {
          const res = await fetch(`${BASE}/api/catalog/entities/by-name/template/default/nodejs-service`, {
            headers: { Authorization: `Bearer ${await guestToken(BASE)}` },
          });
          return res.ok ? true : undefined;
        },
        90_000,
      );
      const id = await startTask('nodejs-service', serviceValues('image-check', 'from the image', false), BASE);
      const task = await waitForTask(id, 120_000, BASE);
      expect(task.status, taskLog(task)).toBe('completed');
      const repo = await cloneRepo(`${BASE}/api/git-host/gitops.git`);
      try {
        expect(repo.exists('apps/image-check/base/deployment.yaml')).toBe(true);
        expect(repo.log[0].commit.message).toContain(`Task: ${id}`);
      } finally {
        await repo.cleanup();
      }

      // The backend serves the built frontend, which signs in and lists the new service.
      const page = await browser.newPage({ baseURL: BASE });
      await page.goto('/');
      await page.getByRole('button', { name: 'Enter' }).click();
      await page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Catalog', exact: true }).click();
      await expect(page.getByRole('link', { name: 'image-check' })).toBeVisible();
      await page.screenshot({ path: test.info().outputPath('image-catalog.png') });
      await page.close();
    } finally {
      backend.stop();
      await backend.exited.catch(() => {});
      fs.rmSync(gitRoot, { recursive: true, force: true });
    }
    // A read-only root filesystem would have refused any write under the image's own folders.
    expect(snapshot()).toEqual(before);
  });
});

// Shared by the benchmark scripts: a backend process of its own, waiting, percentiles.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const base = 'http://localhost:7007';

export const sleep = ms => new Promise(r => setTimeout(r, ms));

export async function until(what, probe, ms = 120_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** Fails when something already answers on the backend's port: its figures would be another's. */
export async function assertPortFree(url = base) {
  const answered = await fetch(url).then(() => true, () => false);
  if (answered) {
    throw new Error(`${url} already answers: stop the portal (or the tests) that runs there, then benchmark`);
  }
}

/** Starts the backend in its own process group; the returned function stops it. */
/** The assembled image's application folder, when BENCH_IMAGE names one. */
function imageApp() {
  const out = process.env.BENCH_IMAGE;
  if (!out) return undefined;
  const { workdir } = JSON.parse(fs.readFileSync(path.join(out, 'image.json'), 'utf8'));
  return path.join(out, 'image', workdir);
}

// The image runs in production mode, where the guest sign-in the benchmarks use is off
// unless allowed.
const IMAGE_ENV = {
  NODE_ENV: 'production',
  APP_CONFIG_auth_providers_guest_dangerouslyAllowOutsideDevelopment: 'true',
};

export function startBackend(args, env) {
  // BENCH_IMAGE=<out of scripts/image/assemble.mjs>: the built backend as the image holds it,
  // in production mode, instead of the development server. It runs from this checkout's
  // packages/backend, so the benchmark's config and its relative paths stay the same.
  const image = imageApp();
  return startGroup(
    image ? process.execPath : 'yarn',
    image ? [path.join(image, 'packages/backend'), ...args] : ['backstage-cli', 'package', 'start', ...args],
    path.join(root, 'packages/backend'),
    { ...process.env, LOG_LEVEL: 'warn', ...(image ? IMAGE_ENV : {}), ...env },
  );
}

/** Runs a program as its own process group; the returned function stops the group. */
function startGroup(program, args, cwd, env) {
  const child = spawn(program, args, {
    cwd,
    env,
    detached: true,
    // BENCH_LOG=<file> keeps the processes' output, to see why a run went wrong.
    stdio: process.env.BENCH_LOG ? ['ignore', fs.openSync(process.env.BENCH_LOG, 'a'), fs.openSync(process.env.BENCH_LOG, 'a')] : 'ignore',
  });
  return () => {
    try {
      // BENCH_KILL_SIGNAL=SIGINT lets a backend run with --cpu-prof write its profile.
      process.kill(-child.pid, process.env.BENCH_KILL_SIGNAL ?? 'SIGKILL');
    } catch {
      // already gone
    }
  };
}

export const FORGE = 'http://localhost:7047';

/** The Git host alone in a backend of its own (scripts/bench/forge.cjs), serving `gitRoot`. */
export function startForge(gitRoot) {
  const image = imageApp();
  const transform = image ? [] : ['--require', '@backstage/cli-node/config/nodeTransform.cjs'];
  return startGroup(
    process.execPath,
    [...transform, path.join(root, 'scripts/bench/forge.cjs'), '--config', path.join(root, 'scripts/bench/app-config.forge.yaml')],
    image ?? root,
    { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production', APP_CONFIG_gitHost_root: gitRoot },
  );
}

export function guestToken(url = base) {
  return until('the backend', async () => {
    const res = await fetch(`${url}/api/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    return res.ok && (await res.json()).backstageIdentity.token;
  });
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Drops the PostgreSQL databases whose names start with `prefix`; returns how many. */
export async function dropDatabases(prefix) {
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    return rows.length;
  } finally {
    await admin.end();
  }
}

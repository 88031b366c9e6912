// Benchmark: a golden-path run (nodejs-service: check, render, publish the repository,
// GitOps commit, catalog register and wait) from POST /api/scaffolder/v2/tasks to
// completion, against the embedded Git host, as a ratio to a fetch:template-only task
// measured in the same run. Then 20 golden paths at once against the one GitOps repository:
// 20 different services, and 20 databases for one service. Prints figures; asserts nothing.
// BENCH_REPLICAS=2 (with BENCH_POSTGRES_PREFIX) runs the bursts as production does, on two
// replicas sharing the database: the requests alternate between them.
//
//   node scripts/bench/golden-path.mjs [iterations] [concurrent]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertPortFree, base, dropDatabases, FORGE, guestToken, percentile as pct, sleep, startBackend, startForge, until } from './lib.mjs';

const iterations = Number(process.argv[2] ?? 20);
const concurrent = Number(process.argv[3] ?? 20);
const gitRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-git-'));

await assertPortFree();
// BENCH_POSTGRES_PREFIX=bench_gp_ runs on fresh PostgreSQL databases of that prefix (task
// events then carry milliseconds, so the step times below are exact); SQLite's are seconds.
// The prefix's databases are dropped first: a catalog that kept the last run's entities
// answers the wait step at once, and the figures would flatter.
if (process.env.BENCH_POSTGRES_PREFIX) {
  const dropped = await dropDatabases(process.env.BENCH_POSTGRES_PREFIX);
  console.log(`postgres: dropped ${dropped} databases of prefix ${process.env.BENCH_POSTGRES_PREFIX} left by an earlier run`);
}
const postgres = process.env.BENCH_POSTGRES_PREFIX
  ? {
      APP_CONFIG_backend_database: JSON.stringify({
        client: 'pg',
        connection: { host: '127.0.0.1', port: 5432, user: 'postgres' },
        prefix: process.env.BENCH_POSTGRES_PREFIX,
      }),
    }
  : {};
// BENCH_GIT_HOST=process runs the Git host in a process of its own, as GitHub or Azure DevOps
// is to a deployed portal, on the same cores; by default the portal serves it, as in
// development, and every Git request it serves forks the portal's process.
const ownGitHost = process.env.BENCH_GIT_HOST === 'process';
const stopForge = ownGitHost ? startForge(gitRoot) : () => {};
const configs = [
  '--config', '../../app-config.yaml',
  '--config', '../../scripts/bench/app-config.bench.yaml',
  ...(ownGitHost ? ['--config', '../../scripts/bench/app-config.bench-forge.yaml'] : []),
];
if (ownGitHost) await until('the Git host', async () => (await fetch(`${FORGE}/api/git-host/gitops.git/info/refs?service=git-upload-pack`)).ok);
const stopBackend = startBackend(configs, { APP_CONFIG_gitHost_root: gitRoot, ...postgres });
const replicas = Number(process.env.BENCH_REPLICAS ?? 1);
if (replicas > 1 && !process.env.BENCH_POSTGRES_PREFIX) {
  throw new Error('BENCH_REPLICAS needs BENCH_POSTGRES_PREFIX: replicas share one PostgreSQL');
}
const stopReplicas = [];
const stop = () => {
  stopBackend();
  stopForge();
  stopReplicas.forEach(stopReplica => stopReplica());
  fs.rmSync(gitRoot, { recursive: true, force: true });
};
process.on('exit', stop);

const token = await guestToken();
// Replica i > 0 listens on 7007 + 10 i; the first serves the Git host for all of them.
const bases = Array.from({ length: replicas }, (_, i) => `http://localhost:${7007 + 10 * i}`);
// Started once the first has migrated the databases: two first starts at once race on
// creating the same tables, as a Deployment's rollout never lets them.
stopReplicas.push(...bases.slice(1).map(url =>
  startBackend(
    configs,
    {
      APP_CONFIG_gitHost_root: gitRoot,
      ...postgres,
      APP_CONFIG_backend_listen_port: new URL(url).port,
      APP_CONFIG_backend_baseUrl: url,
    },
  ),
));
const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
for (const url of bases) {
  for (const t of ['nodejs-service', 'postgres-database', 'bench-trivial']) {
    await until(`template ${t} on ${url}`, async () => (await fetch(`${url}/api/catalog/entities/by-name/template/default/${t}`, { headers })).ok, 240_000);
  }
}

/**
 * Waits for a task to end, asking for it every `everyMs`. (The task page's event stream
 * hears of it up to 1 s late, the scaffolder reads events once a second, and polling 20 tasks
 * 20 times a second loads the backend with the benchmark's own requests.)
 */
async function ended(id, everyMs) {
  for (;;) {
    const task = await (await fetch(`${base}/api/scaffolder/v2/tasks/${id}`, { headers })).json();
    if (['completed', 'failed', 'cancelled'].includes(task.status)) return task.status;
    await sleep(everyMs);
  }
}

async function start(template, values, through = base) {
  const res = await fetch(`${through}/api/scaffolder/v2/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ templateRef: `template:default/${template}`, values }),
  });
  return (await res.json()).id;
}

async function eventsOf(id) {
  return (await fetch(`${base}/api/scaffolder/v2/tasks/${id}/events`, { headers })).json();
}

/** Each step's time in ms, from its first to its last event. */
function stepTimes(events) {
  const first = new Map();
  const last = new Map();
  for (const e of events) {
    const step = e.body?.stepId;
    if (!step) continue;
    const t = Date.parse(e.createdAt);
    if (!first.has(step)) first.set(step, t);
    last.set(step, t);
  }
  return new Map([...first].map(([step, t]) => [step, last.get(step) - t]));
}

const steps = new Map();

async function run(template, values) {
  const started = performance.now();
  const id = await start(template, values);
  const status = await ended(id, 50);
  const ms = performance.now() - started;
  if (status !== 'completed') {
    const said = (await eventsOf(id)).map(e => e.body?.error?.message).filter(Boolean).pop();
    throw new Error(`${template} task ${id} ${status}: ${said ?? 'no error in its log'}`);
  }
  if (template === 'nodejs-service') {
    for (const [step, t] of stepTimes(await eventsOf(id))) steps.set(step, [...(steps.get(step) ?? []), t]);
  }
  return ms;
}

/** How many times the task's pushes lost a race and were rebuilt, from its own log. */
function retriesOf(events) {
  return events.filter(e => /lost a race/.test(e.body?.message ?? '')).length;
}

/** When the task's completion event was written, in ms since the epoch. */
function completedAt(events) {
  return Date.parse(events.find(e => e.type === 'completion').createdAt);
}

/**
 * Runs them all at once; prints wall time, p50 and p95 per task, retries and how many landed.
 * Each task's time ends at its completion event, so the once-a-second polling (as light as
 * the task page's event stream, which reads once a second) neither delays nor loads it.
 */
async function together(label, template, valuesList) {
  const outcomes = await Promise.all(
    valuesList.map(async (values, i) => {
      const t = Date.now();
      const id = await start(template, values, bases[i % bases.length]);
      const status = await ended(id, 1000);
      const events = await eventsOf(id);
      return { events, ok: status === 'completed', ms: completedAt(events) - t };
    }),
  );
  const wall = Math.max(...outcomes.map(o => o.ms));
  const retries = outcomes.map(o => retriesOf(o.events)).reduce((a, b) => a + b, 0);
  const times = outcomes.map(o => o.ms);
  const landed = outcomes.filter(o => o.ok).length;
  const byStep = new Map();
  for (const o of outcomes) {
    for (const [step, t] of stepTimes(o.events)) byStep.set(step, [...(byStep.get(step) ?? []), t]);
  }
  console.log(
    `${label.padEnd(30)}wall ${fmt(wall)}  p50 ${fmt(pct(times, 50))}  p95 ${fmt(pct(times, 95))}  retries ${retries}  landed ${landed}/${outcomes.length}`,
  );
  console.log(`  steps, p50: ${[...byStep].map(([step, ts]) => `${step} ${fmt(pct(ts, 50))}`).join(', ')}`);
}

const fmt = ms => `${(ms / 1000).toFixed(2)} s`;

const golden = i => ({
  name: `bench-svc-${i}`,
  owner: 'group:default/storefront-team',
  description: 'benchmark',
  size: 'small',
  port: 8080,
  environments: ['dev', 'staging', 'prod'],
  database: true,
});

// Warm-up: first runs compile schemas and load modules.
await run('bench-trivial', { name: 'warm' });
await run('nodejs-service', golden('warm'));

steps.clear();
const trivial = [];
const paths = [];
for (let i = 0; i < iterations; i++) {
  trivial.push(await run('bench-trivial', { name: `t${i}` }));
  paths.push(await run('nodejs-service', golden(i)));
}

console.log(
  `iterations: ${iterations} of each, sequential, ${os.cpus().length} cores, ${process.env.BENCH_IMAGE ? 'built backend (BENCH_IMAGE)' : 'development server'}, Git host ${ownGitHost ? 'in its own process' : 'embedded in the portal'}`,
);
console.log(`trivial fetch:template task   p50 ${fmt(pct(trivial, 50))}  p95 ${fmt(pct(trivial, 95))}`);
console.log(`nodejs-service golden path    p50 ${fmt(pct(paths, 50))}  p95 ${fmt(pct(paths, 95))}`);
for (const [step, times] of steps) {
  console.log(`  step ${step.padEnd(24)}p50 ${fmt(pct(times, 50))}  p95 ${fmt(pct(times, 95))}`);
}
console.log(`ratio golden/trivial          p50 ${(pct(paths, 50) / pct(trivial, 50)).toFixed(1)}x  p95 ${(pct(paths, 95) / pct(trivial, 95)).toFixed(1)}x`);

console.log(`${concurrent} at once against one GitOps repository, through ${replicas} replica${replicas > 1 ? 's' : ''}:`);
// The scaffolder's own share: the same burst of a task with one fetch:template step.
await together(
  `${concurrent} trivial tasks`,
  'bench-trivial',
  Array.from({ length: concurrent }, (_, i) => ({ name: `c${i}` })),
);
await together(
  `${concurrent} services`,
  'nodejs-service',
  Array.from({ length: concurrent }, (_, i) => golden(`c${i}`)),
);
await together(
  `${concurrent} databases, one service`,
  'postgres-database',
  Array.from({ length: concurrent }, (_, i) => ({
    component: 'component:default/bench-svc-warm',
    name: `bench-db-${i}`,
    size: 'small',
  })),
);
stop();
process.exit(0);

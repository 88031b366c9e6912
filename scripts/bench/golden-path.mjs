// Benchmark: a golden-path run (nodejs-service: check, render, publish the repository,
// GitOps commit, catalog register and wait) from POST /api/scaffolder/v2/tasks to
// completion, against the embedded Git host, as a ratio to a fetch:template-only task
// measured in the same run. Then 20 golden paths at once against the one GitOps repository:
// 20 different services, and 20 databases for one service. Prints figures; asserts nothing.
//
//   node scripts/bench/golden-path.mjs [iterations] [concurrent]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertPortFree, base, guestToken, percentile as pct, sleep, startBackend, until } from './lib.mjs';

const iterations = Number(process.argv[2] ?? 20);
const concurrent = Number(process.argv[3] ?? 20);
const gitRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-git-'));

await assertPortFree();
const stopBackend = startBackend(
  ['--config', '../../app-config.yaml', '--config', '../../scripts/bench/app-config.bench.yaml'],
  { APP_CONFIG_gitHost_root: gitRoot },
);
const stop = () => {
  stopBackend();
  fs.rmSync(gitRoot, { recursive: true, force: true });
};
process.on('exit', stop);

const token = await guestToken();
const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
for (const t of ['nodejs-service', 'postgres-database', 'bench-trivial']) {
  await until(`template ${t}`, async () => (await fetch(`${base}/api/catalog/entities/by-name/template/default/${t}`, { headers })).ok);
}

async function run(template, values) {
  const started = performance.now();
  const res = await fetch(`${base}/api/scaffolder/v2/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ templateRef: `template:default/${template}`, values }),
  });
  const { id } = await res.json();
  for (;;) {
    const task = await (await fetch(`${base}/api/scaffolder/v2/tasks/${id}`, { headers })).json();
    if (task.status === 'completed') return performance.now() - started;
    if (task.status === 'failed' || task.status === 'cancelled') {
      const events = await (await fetch(`${base}/api/scaffolder/v2/tasks/${id}/events`, { headers })).json();
      const said = events.map(e => e.body?.error?.message).filter(Boolean).pop();
      throw new Error(`${template} task ${id} ${task.status}: ${said ?? 'no error in its log'}`);
    }
    await sleep(20);
  }
}

/** How many times the task's pushes lost a race and were rebuilt, from its own log. */
async function retriesOf(id) {
  const events = await (await fetch(`${base}/api/scaffolder/v2/tasks/${id}/events`, { headers })).json();
  return events.filter(e => /lost a race/.test(e.body?.message ?? '')).length;
}

/** Runs them all at once; prints wall time, p50 and p95 per task, retries and how many landed. */
async function together(label, template, valuesList) {
  const started = performance.now();
  const outcomes = await Promise.all(
    valuesList.map(async values => {
      const res = await fetch(`${base}/api/scaffolder/v2/tasks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ templateRef: `template:default/${template}`, values }),
      });
      const { id } = await res.json();
      const t = performance.now();
      for (;;) {
        const task = await (await fetch(`${base}/api/scaffolder/v2/tasks/${id}`, { headers })).json();
        if (['completed', 'failed', 'cancelled'].includes(task.status)) {
          return { id, ok: task.status === 'completed', ms: performance.now() - t };
        }
        await sleep(50);
      }
    }),
  );
  const wall = performance.now() - started;
  const retries = (await Promise.all(outcomes.map(o => retriesOf(o.id)))).reduce((a, b) => a + b, 0);
  const times = outcomes.map(o => o.ms);
  const landed = outcomes.filter(o => o.ok).length;
  console.log(
    `${label.padEnd(30)}wall ${fmt(wall)}  p50 ${fmt(pct(times, 50))}  p95 ${fmt(pct(times, 95))}  retries ${retries}  landed ${landed}/${outcomes.length}`,
  );
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

const trivial = [];
const paths = [];
for (let i = 0; i < iterations; i++) {
  trivial.push(await run('bench-trivial', { name: `t${i}` }));
  paths.push(await run('nodejs-service', golden(i)));
}

console.log(`iterations: ${iterations} of each, sequential, ${os.cpus().length} cores`);
console.log(`trivial fetch:template task   p50 ${fmt(pct(trivial, 50))}  p95 ${fmt(pct(trivial, 95))}`);
console.log(`nodejs-service golden path    p50 ${fmt(pct(paths, 50))}  p95 ${fmt(pct(paths, 95))}`);
console.log(`ratio golden/trivial          p50 ${(pct(paths, 50) / pct(trivial, 50)).toFixed(1)}x  p95 ${(pct(paths, 95) / pct(trivial, 95)).toFixed(1)}x`);

console.log(`${concurrent} at once against one GitOps repository:`);
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

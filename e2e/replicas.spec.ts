import { expect, test } from '@playwright/test';
import { BackendProcess, guestToken, waitFor } from './support/backend';
import { timelineChannel } from '@internal/plugin-gitops-common';
import { startReplica } from './support/replica';
import { BASE_URL, cloneRepo, runTemplate, taskLog } from './support/scaffolder';

// Replica A is the backend Playwright started; replica B is a second process with the same
// configuration, the same PostgreSQL databases and the same Redis, on another port.
const B_URL = 'http://localhost:7017';
const GITOPS = `${BASE_URL}/api/git-host/gitops.git`;

test.describe.configure({ mode: 'serial' });

let b: BackendProcess | undefined;

test.beforeAll(async () => {
  test.skip(!process.env.E2E_REDIS_URL, 'skipped: no Redis on 127.0.0.1:6379, so the replicas cannot share a cache');
  test.setTimeout(240_000);
  b = await startReplica(7017);
});
test.afterAll(() => b?.stop());

test('a session signed in through replica A is accepted by replica B', async () => {
  const token = await guestToken(BASE_URL);
  const res = await fetch(`${B_URL}/api/catalog/entities/by-name/component/default/payments-api`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  expect((await res.json()).metadata.name).toBe('payments-api');
});

/** A signals client of replica B, as the portal's frontend opens one: the token is the subprotocol. */
async function signalsOf(baseUrl: string, channel: string) {
  const token = await guestToken(baseUrl);
  const received: unknown[] = [];
  const socket = await waitFor(
    'a signals connection',
    () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/api/signals`, token);
        // The first upgrade only makes the signals router listen for upgrades; try again.
        const timer = setTimeout(() => {
          ws.close();
          reject(new Error('not connected'));
        }, 5_000);
        ws.onopen = () => {
          clearTimeout(timer);
          resolve(ws);
        };
        ws.onerror = () => {
          clearTimeout(timer);
          reject(new Error('not connected'));
        };
      }),
    30_000,
  );
  socket.onmessage = event => received.push(JSON.parse(String(event.data)));
  socket.send(JSON.stringify({ action: 'subscribe', channel }));
  return { received, close: () => socket.close() };
}

test('a golden path started through A runs exactly once, and B reads the entity it registered', async () => {
  // A records the request's timeline and announces it; B's client hears it (the events bus).
  const signals = await signalsOf(B_URL, timelineChannel('component:default/replica-orders-api'));
  const task = await runTemplate('nodejs-service', {
    name: 'replica-orders-api',
    description: 'Made through replica A',
    owner: 'group:default/storefront-team',
    size: 'small',
    port: 8080,
    environments: ['dev', 'staging', 'prod'],
    database: false,
  });
  expect(task.status, taskLog(task)).toBe('completed');
  // Each step began once, though both replicas poll the same task table.
  const begun = task.events
    .filter(e => e.type === 'log' && /^Beginning step /.test(e.body.message))
    .map(e => e.body.message);
  expect(begun.length).toBeGreaterThan(3);
  expect(new Set(begun).size).toBe(begun.length);
  const gitops = await cloneRepo(GITOPS);
  expect(gitops.log.filter(c => c.commit.message.includes(`Task: ${task.id}`))).toHaveLength(1);
  const signal = await waitFor(
    "the timeline's signal through B",
    async () => (signals.received.length ? signals.received[0] : undefined),
    15_000,
  ).finally(signals.close);
  expect(signal).toEqual({
    channel: 'gitops-timeline:component:default/replica-orders-api',
    message: { entityRef: 'component:default/replica-orders-api' },
  });

  const token = await guestToken(BASE_URL);
  const entity = await waitFor(
    'the entity through B',
    async () => {
      const res = await fetch(`${B_URL}/api/catalog/entities/by-name/component/default/replica-orders-api`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return res.ok ? res.json() : undefined;
    },
    30_000,
  );
  expect(entity.metadata.description).toBe('Made through replica A');
});

test('a health answer cached by A is served by B', async () => {
  const token = await guestToken(BASE_URL);
  const path = '/api/health/v1/entities/component/default/payments-api/verdict';
  const get = (base: string) =>
    fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } }).then(r => r.json());
  // A serves a stale answer while it reads again in the background: wait for one A read now.
  const start = new Date().toISOString();
  const fromA = await waitFor(
    'a fresh answer from A',
    async () => {
      const answer = await get(BASE_URL);
      return answer.generatedAt > start ? answer : undefined;
    },
    30_000,
  );
  const fromB = await get(B_URL);
  // The same read, from Redis: B did not ask the clusters again.
  expect(fromB.generatedAt).toBe(fromA.generatedAt);
});

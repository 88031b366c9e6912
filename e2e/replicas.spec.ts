import { expect, test } from '@playwright/test';
import config from '../playwright.config';
import { BackendProcess, guestToken, startBackend, waitFor } from './support/backend';
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
  const env = (config.webServer as { env: Record<string, string> }).env;
  b = startBackend({
    configs: ['app-config.yaml'],
    env: {
      ...env,
      APP_CONFIG_backend_listen_port: '7017',
      APP_CONFIG_backend_baseUrl: B_URL,
    },
  });
  await waitFor(
    'replica B',
    async () => ((await fetch(`${B_URL}/.backstage/health/v1/readiness`)).ok ? true : undefined),
    200_000,
  ).catch(error => {
    throw new Error(`${error.message}\n${b?.output().slice(-3000)}`);
  });
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

test('a golden path started through A runs exactly once, and B reads the entity it registered', async () => {
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

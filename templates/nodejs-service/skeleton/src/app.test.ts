import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApp } from './app.ts';
import type { AppState } from './app.ts';

describe('HTTP API', () => {
  const state: AppState = { ready: true };
  const server = createApp(state);
  let baseUrl = '';

  before(async () => {
    // Port 0: the OS picks a free port, so tests never collide.
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers the liveness probe', async () => {
    const res = await fetch(`${baseUrl}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('reports readiness from the app state', async () => {
    assert.equal((await fetch(`${baseUrl}/readyz`)).status, 200);
    state.ready = false;
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'not ready' });
    } finally {
      state.ready = true;
    }
  });

  it('greets by name', async () => {
    const res = await fetch(`${baseUrl}/api/hello?name=Ada`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: 'Hello, Ada!' });
  });

  it('greets the world by default', async () => {
    const res = await fetch(`${baseUrl}/api/hello`);
    assert.deepEqual(await res.json(), { message: 'Hello, world!' });
  });

  it('returns 404 for unknown paths', async () => {
    const res = await fetch(`${baseUrl}/nope`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'not found' });
  });

  it('returns 405 for unsupported methods', async () => {
    const res = await fetch(`${baseUrl}/healthz`, { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createServer, listen, proto } from './app.ts';
import { HealthService } from './health.ts';

type UnaryMethod = (request: object, callback: (err: grpc.ServiceError | null, res?: unknown) => void) => void;

/** Calls a unary method of a generic client and resolves to its response. */
function unary(client: grpc.Client, method: string, request: object): Promise<unknown> {
  const fn = (client as unknown as Record<string, UnaryMethod>)[method];
  return new Promise((resolve, reject) => {
    fn.call(client, request, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

describe('gRPC server', () => {
  const health = new HealthService();
  const server = createServer(health);
  let healthClient: grpc.Client;
  let greeterClient: grpc.Client;

  before(async () => {
    // Port 0: the OS picks a free port, so tests never collide.
    const port = await listen(server, '127.0.0.1:0');
    const credentials = grpc.credentials.createInsecure();
    healthClient = new proto.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials);
    greeterClient = new proto.greeter.v1.Greeter(`127.0.0.1:${port}`, credentials);
  });

  after(() => {
    healthClient.close();
    greeterClient.close();
    server.forceShutdown();
  });

  it('reports the server as SERVING', async () => {
    assert.deepEqual(await unary(healthClient, 'Check', { service: '' }), { status: 'SERVING' });
  });

  it('reports the Greeter service as SERVING', async () => {
    const res = await unary(healthClient, 'Check', { service: 'greeter.v1.Greeter' });
    assert.deepEqual(res, { status: 'SERVING' });
  });

  it('answers NOT_FOUND for unknown services', async () => {
    await assert.rejects(unary(healthClient, 'Check', { service: 'nope.v1.Nope' }), {
      code: grpc.status.NOT_FOUND,
    });
  });

  it('streams status changes to Watch', async () => {
    const call = (healthClient as unknown as {
      Watch(req: object): grpc.ClientReadableStream<{ status: string }>;
    }).Watch({ service: 'greeter.v1.Greeter' });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      call.on('error', reject);
      call.on('data', ({ status }) => {
        seen.push(status);
        if (seen.length === 1) health.setStatus('greeter.v1.Greeter', 'NOT_SERVING');
        else resolve();
      });
    });
    call.cancel();
    health.setStatus('greeter.v1.Greeter', 'SERVING');
    assert.deepEqual(seen, ['SERVING', 'NOT_SERVING']);
  });

  it('greets by name', async () => {
    assert.deepEqual(await unary(greeterClient, 'SayHello', { name: 'Ada' }), {
      message: 'Hello, Ada!',
    });
  });

  it('greets the world by default', async () => {
    assert.deepEqual(await unary(greeterClient, 'SayHello', {}), { message: 'Hello, world!' });
  });

  it('rejects names that are too long', async () => {
    await assert.rejects(unary(greeterClient, 'SayHello', { name: 'x'.repeat(101) }), {
      code: grpc.status.INVALID_ARGUMENT,
    });
  });
});

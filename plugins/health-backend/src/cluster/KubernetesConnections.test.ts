import { ApiException } from '@kubernetes/client-node';
import net from 'node:net';
import { FakeKubernetes, healthyDev } from '@internal/test-fakes/kubernetes';
import { ClusterConfig } from '../config';
import { KubernetesConnections } from './KubernetesConnections';

function cluster(fake: FakeKubernetes, extra: Partial<ClusterConfig> = {}) {
  return {
    name: 'aks-dev',
    url: fake.url,
    authProvider: 'serviceAccount',
    skipTLSVerify: true,
    environment: 'dev',
    ...extra,
  } as ClusterConfig;
}

describe('KubernetesConnections', () => {
  let fake: FakeKubernetes;
  beforeEach(async () => {
    fake = await FakeKubernetes.start(healthyDev('sa-token'));
  });
  afterEach(() => fake.close());
  const signal = new AbortController().signal;

  it('keeps one connection alive across requests', async () => {
    const connections = new KubernetesConnections();
    const dev = cluster(fake);

    for (let i = 0; i < 3; i++) {
      const list = await connections
        .for(dev, 'sa-token')
        .getJson('/api/v1/pods?labelSelector=app%3Dpayments-api', signal);
      expect((list as { items: unknown[] }).items).toHaveLength(2);
    }

    expect(fake.connectionsOpened).toBe(1);
    expect(fake.requests.map(r => r.authorization)).toEqual([
      'Bearer sa-token',
      'Bearer sa-token',
      'Bearer sa-token',
    ]);
    connections.close();
  });

  it('replaces the connection of a backend identity whose token changed', async () => {
    const connections = new KubernetesConnections();
    const dev = cluster(fake);
    const first = connections.for(dev, 'old-token');

    const second = connections.for(dev, 'sa-token');

    expect(second).not.toBe(first);
    expect(connections.size).toBe(1);
    await expect(
      first.get('/api/v1/pods', signal).then(() => 'read'),
    ).rejects.toBeInstanceOf(ApiException);
    await expect(second.get('/api/v1/pods', signal)).resolves.toBeDefined();
    connections.close();
  });

  it('keeps one connection per user on aks clusters, closing the least recently used', async () => {
    const connections = new KubernetesConnections(2);
    const aks = cluster(fake, { authProvider: 'aks' });

    const alice = connections.for(aks, 'alice-token');
    const bob = connections.for(aks, 'bob-token');
    expect(connections.for(aks, 'alice-token')).toBe(alice);
    connections.for(aks, 'carol-token');

    expect(connections.size).toBe(2);
    expect(connections.for(aks, 'alice-token')).toBe(alice);
    expect(connections.for(aks, 'bob-token')).not.toBe(bob);
    connections.close();
    expect(connections.size).toBe(0);
  });

  it('answers an error status as an ApiException with the Status body', async () => {
    const connections = new KubernetesConnections();
    const error = await connections
      .for(cluster(fake), 'wrong-token')
      .get('/api/v1/pods', signal)
      .catch(e => e);

    expect(error).toBeInstanceOf(ApiException);
    expect(error.code).toBe(401);
    expect(JSON.parse(error.body)).toMatchObject({
      kind: 'Status',
      reason: 'Unauthorized',
    });
    connections.close();
  });

  it('gives up a GET when its signal aborts', async () => {
    await fake.close();
    fake = await FakeKubernetes.start({
      ...healthyDev('sa-token'),
      behaviour: 'hang',
    });
    const connections = new KubernetesConnections();
    const controller = new AbortController();
    const reading = connections
      .for(cluster(fake), 'sa-token')
      .get('/api/v1/pods', controller.signal);

    setTimeout(() => controller.abort(), 50);

    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    connections.close();
  });

  it('keeps the network error code, which names the failure', async () => {
    const dev = cluster(fake);
    await fake.close();
    const connections = new KubernetesConnections();

    const error = await connections
      .for(dev, 'sa-token')
      .get('/api/v1/pods', signal)
      .catch(e => e);

    expect(error.code).toBe('ECONNREFUSED');
    connections.close();
  });

  it('sends a GET again when the server had closed the kept-alive socket it went out on', async () => {
    // Answers the first request of each socket, then drops the socket when it is reused,
    // as an API server or an Azure load balancer does with an idle connection.
    let sockets = 0;
    const server = net.createServer(socket => {
      sockets += 1;
      let served = false;
      socket.on('data', () => {
        if (served) {
          socket.destroy();
          return;
        }
        served = true;
        const body = JSON.stringify({ kind: 'PodList', items: [] });
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`,
        );
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const connections = new KubernetesConnections();
    try {
      const dev = { ...cluster(fake), url: `http://127.0.0.1:${port}` } as ClusterConfig;
      const connection = connections.for(dev, 'sa-token');
      for (let i = 0; i < 3; i++) {
        await expect(connection.getJson('/api/v1/pods', signal)).resolves.toEqual({ kind: 'PodList', items: [] });
      }
      expect(sockets).toBe(3);
    } finally {
      connections.close();
      server.close();
    }
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { summarizePods } from '@internal/plugin-health-common';
import { MemoryCache } from '@internal/test-fakes';
import {
  FakeKubernetes,
  healthyDev,
  KubernetesObject,
  paymentsApi,
  pod,
  SERVICE,
} from '@internal/test-fakes/kubernetes';
import { ClusterConfig } from '../config';
import { HealthService } from '../services/HealthService';
import { PodWatches } from './PodWatch';

const NOW = new Date('2026-11-23T10:00:00Z');

function cluster(
  fake: FakeKubernetes,
  extra: Partial<ClusterConfig> = {},
): ClusterConfig {
  return {
    name: 'aks-dev',
    url: fake.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: 'sa-token',
    skipTLSVerify: true,
    environment: 'dev',
    ...extra,
  };
}

async function until<T>(what: string, probe: () => T | undefined | false) {
  const end = Date.now() + 5000;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

const crashing = pod({
  fixture: 'crashing',
  name: 'payments-api-6c9f8d7b5-crash',
  namespace: SERVICE,
  kubernetesId: SERVICE,
  image: 'contoso.azurecr.io/payments-api:1.4.2',
});

function listed(fake: FakeKubernetes) {
  return fake.requestsTo('/api/v1/pods').filter(r => !r.watch);
}

describe('PodWatches', () => {
  let fake: FakeKubernetes;
  let watches: PodWatches;
  const logger = mockServices.logger.mock();
  beforeEach(async () => {
    fake = await FakeKubernetes.start(healthyDev('sa-token'));
    watches = new PodWatches({
      logger,
      getToken: async c => c.serviceAccountToken!,
      retryMs: [20],
      forbiddenRetryMs: 60_000,
    });
  });
  afterEach(async () => {
    watches.close();
    await fake.close();
  });

  const ofService = (pods: KubernetesObject[] = []) =>
    pods.filter(
      p => p.metadata.labels?.['backstage.io/kubernetes-id'] === SERVICE,
    );

  it('keeps the pods from one list and a watch', async () => {
    const dev = cluster(fake);
    // Not in sync yet: the caller lists the pods itself.
    expect(watches.summary(dev, SERVICE, NOW)).toBeUndefined();
    await until('the watch', () => fake.openWatches === 1);

    expect(watches.summary(dev, SERVICE, NOW)).toEqual(
      summarizePods(ofService(fake.options.pods), NOW),
    );
    expect(watches.summary(dev, SERVICE, NOW)?.total).toBe(2);
    expect(watches.summary(dev, 'no-such-service', NOW)?.total).toBe(0);

    fake.podEvent('ADDED', crashing);
    const added = await until('the added pod', () => {
      const summary = watches.summary(dev, SERVICE, NOW);
      return summary?.total === 3 && summary;
    });
    expect(added).toEqual(summarizePods(ofService(fake.options.pods), NOW));
    expect(added.crashLooping).toBe(1);

    fake.podEvent('DELETED', crashing);
    await until(
      'the deleted pod',
      () => watches.summary(dev, SERVICE, NOW)?.total === 2,
    );

    // One list, one watch, both of every labelled pod of the cluster.
    expect(
      fake.requestsTo('/api/v1/pods').map(r => [r.labelSelector, !!r.watch]),
    ).toEqual([
      ['backstage.io/kubernetes-id', false],
      ['backstage.io/kubernetes-id', true],
    ]);
  });

  it('lists in pages', async () => {
    watches.close();
    watches = new PodWatches({
      logger,
      getToken: async c => c.serviceAccountToken!,
      pageSize: 1,
    });
    const dev = cluster(fake);
    const labelled = fake.options.pods!.filter(
      p => p.metadata.labels?.['backstage.io/kubernetes-id'],
    );
    expect(labelled.length).toBeGreaterThan(2);

    watches.summary(dev, SERVICE, NOW);
    await until('the watch', () => fake.openWatches === 1);

    expect(listed(fake)).toHaveLength(labelled.length);
    expect(watches.summary(dev, SERVICE, NOW)).toEqual(
      summarizePods(ofService(fake.options.pods), NOW),
    );
  });

  it('lists again when the API server answers 410 Gone', async () => {
    const dev = cluster(fake);
    watches.summary(dev, SERVICE, NOW);
    await until('the watch', () => fake.openWatches === 1);

    // Changed while no watch is open: only a new list can tell.
    fake.expireWatches();
    fake.podEvent('ADDED', crashing);

    await until(
      'the new list',
      () => watches.summary(dev, SERVICE, NOW)?.total === 3,
    );
    expect(listed(fake)).toHaveLength(2);
    await until('the new watch', () => fake.openWatches === 1);
  });

  it('says nothing once the watch is lost, and lists again when the cluster is back', async () => {
    const dev = cluster(fake);
    watches.summary(dev, SERVICE, NOW);
    await until('the watch', () => fake.openWatches === 1);
    fake.behaviour = 'unauthorized';

    fake.expireWatches();

    await until('the lost watch', () => !watches.synced(dev));
    expect(watches.summary(dev, SERVICE, NOW)).toBeUndefined();
    fake.behaviour = 'ok';
    await until(
      'the watch again',
      () => watches.summary(dev, SERVICE, NOW)?.total === 2,
    );
  });

  it('leaves the pods to the caller when the identity may not watch them', async () => {
    fake.options.forbidden = ['watch pods'];
    const dev = cluster(fake);
    watches.summary(dev, SERVICE, NOW);

    await until('the refused watch', () =>
      fake.requestsTo('/api/v1/pods').some(r => r.watch),
    );
    await until('the watch given up', () => !watches.synced(dev));

    expect(watches.summary(dev, SERVICE, NOW)).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'may not list and watch pods across namespaces (HTTP 403)',
      ),
    );
    // Not asked again soon: a forbidden watch is retried after minutes.
    const asked = fake.requests.length;
    await new Promise(r => setTimeout(r, 100));
    expect(fake.requests.length).toBe(asked);
  });

  it('never watches clusters read with each user token', async () => {
    const dev = cluster(fake, { authProvider: 'aks' });

    expect(watches.summary(dev, SERVICE, NOW)).toBeUndefined();
    await new Promise(r => setTimeout(r, 50));

    expect(fake.requests).toEqual([]);
  });
});

describe('HealthService with a pod watch', () => {
  it('lists no pods once the watch is in sync', async () => {
    const fake = await FakeKubernetes.start(healthyDev('sa-token'));
    const service = new HealthService({
      config: {
        clusters: [cluster(fake)],
        clusterTimeoutMs: 2000,
        cacheTtlMs: 1,
        // Each read reads the clusters: nothing is served stale.
        staleTtlMs: 1,
        environments: ['dev', 'staging', 'prod'],
        podListWorkers: 0,
        podWatch: true,
      },
      logger: mockServices.logger.mock(),
      cache: new MemoryCache(),
    });
    try {
      const first = await service.getEntityHealth(paymentsApi);
      await until('the watch', () => fake.openWatches === 1);
      await new Promise(r => setTimeout(r, 5));
      const second = await service.getEntityHealth(paymentsApi);

      expect(second.environments).toEqual(first.environments);
      expect(second.environments[0].pods).toEqual({
        ready: 2,
        total: 2,
        restarts: 0,
      });
      // The first read listed the component's pods; the second asked the watch.
      expect(listed(fake).map(r => r.labelSelector)).toEqual([
        'backstage.io/kubernetes-id=payments-api',
        'backstage.io/kubernetes-id',
      ]);

      fake.podEvent('ADDED', crashing);
      await new Promise(r => setTimeout(r, 50));
      const third = await service.getEntityHealth(paymentsApi);
      expect(third.environments[0].pods.total).toBe(3);
      expect(third.verdict.state).toBe('Degraded');
      expect(listed(fake)).toHaveLength(2);
    } finally {
      await service.close();
      await fake.close();
    }
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AccessToken, TokenCredential } from '@azure/identity';
import { MemoryCache } from '@internal/test-fakes';
import {
  application,
  COMMIT_URL_TEMPLATE,
  crossplaneResource,
  degradedStaging,
  DEV_IMAGE,
  DEV_REVISION,
  FakeKubernetes,
  FakeKubernetesOptions,
  healthyDev,
  paymentsApi,
  pod,
  READY,
  SERVICE,
  STAGING_REVISION,
  SYNCED,
} from '@internal/test-fakes/kubernetes';
import { ClusterConfig, HealthConfig } from '../config';
import { AKS_SCOPE } from '@internal/plugin-platform-common';
import { DefaultClusterTokenProvider } from '../cluster/clusterTokens';
import { HealthService } from './HealthService';

const fakes: FakeKubernetes[] = [];

async function fake(options: FakeKubernetesOptions) {
  const server = await FakeKubernetes.start(options);
  fakes.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(fakes.splice(0).map(f => f.close()));
});

function cluster(
  name: string,
  server: { url: string },
  extra: Partial<ClusterConfig> = {},
): ClusterConfig {
  return {
    name,
    url: server.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: `${name}-token`,
    skipTLSVerify: true,
    environment: name.slice(name.lastIndexOf('-') + 1),
    argocdUrl: `https://argocd.${name.slice(
      name.lastIndexOf('-') + 1,
    )}.contoso.com`,
    ...extra,
  };
}

function healthService(
  clusters: ClusterConfig[],
  options: {
    config?: Partial<HealthConfig>;
    cache?: MemoryCache;
    azureCredential?: TokenCredential;
    now?: () => Date;
  } = {},
) {
  const cache = options.cache ?? new MemoryCache();
  const service = new HealthService({
    config: {
      clusters,
      clusterTimeoutMs: 2000,
      cacheTtlMs: 15000,
      // Nothing is served stale unless a test is about it.
      staleTtlMs: 0,
      environments: ['dev', 'staging', 'prod'],
      podListWorkers: 0,
      // Pods are listed on every read unless a test is about the watch.
      podWatch: false,
      commitUrlTemplate: COMMIT_URL_TEMPLATE,
      ...options.config,
    },
    logger: mockServices.logger.mock(),
    cache,
    tokens: new DefaultClusterTokenProvider({
      azureCredential: options.azureCredential,
    }),
    now: options.now,
  });
  return { service, cache };
}

async function devAndStaging() {
  const dev = await fake(healthyDev('aks-dev-token'));
  const staging = await fake(degradedStaging('aks-staging-token'));
  return {
    dev,
    staging,
    clusters: [cluster('aks-dev', dev), cluster('aks-staging', staging)],
  };
}

describe('HealthService', () => {
  it('with no clusters configured says what to set up, and reports no failure or partial result', async () => {
    const { service } = healthService([]);
    const health = await service.getEntityHealth(paymentsApi);
    expect(health.failures).toEqual([]);
    expect(health.verdict.state).toBe('Unknown');
    expect(health.verdict.partial).toBeUndefined();
    expect(health.notConfigured).toEqual({
      message: expect.stringContaining('no AKS clusters configured'),
      settings: ['kubernetes.clusterLocatorMethods'],
      docs: 'docs/observability.md',
    });
  });

  it('reads one row per environment from the clusters', async () => {
    const { dev, staging, clusters } = await devAndStaging();
    const { service } = healthService(clusters);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.entityRef).toBe('component:default/payments-api');
    expect(health.failures).toEqual([]);
    expect(health.environments).toHaveLength(2);
    const [devRow, stagingRow] = health.environments;
    expect(devRow).toMatchObject({
      environment: 'dev',
      cluster: 'aks-dev',
      application: {
        name: 'payments-api-dev',
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        revision: DEV_REVISION,
        operationPhase: 'Succeeded',
        url: 'https://argocd.dev.contoso.com/applications/argocd/payments-api-dev',
        commitUrl: `https://github.com/contoso/gitops/commit/${DEV_REVISION}`,
      },
      imageTags: ['1.4.2'],
      images: [DEV_IMAGE],
      pods: { ready: 2, total: 2, restarts: 0 },
      verdict: { state: 'Healthy' },
      failures: [],
    });
    expect(stagingRow).toMatchObject({
      environment: 'staging',
      cluster: 'aks-staging',
      application: {
        name: 'payments-api-staging',
        syncStatus: 'OutOfSync',
        healthStatus: 'Degraded',
        revision: STAGING_REVISION,
        operationPhase: 'Failed',
      },
      imageTags: ['1.5.0-rc.1'],
      // 1 ready of healthy + CrashLoopBackOff + Pending; 123 + 38 restarts in the crashing pod.
      pods: { ready: 1, total: 3, restarts: 161 },
      verdict: { state: 'Degraded' },
    });
    expect(stagingRow.verdict.reasons.map(r => r.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('1 in CrashLoopBackOff'),
        expect.stringContaining('health Degraded, sync OutOfSync at 4e1d2c3'),
      ]),
    );

    // Every list asked for the component's pods and resources only, never the whole cluster.
    const lists = [...dev.requests, ...staging.requests].filter(
      r => !r.path.includes('/secrets'),
    );
    expect(lists.length).toBe(12);
    for (const request of lists) {
      expect(request.labelSelector).toBe(
        'backstage.io/kubernetes-id=payments-api',
      );
    }
    expect(dev.requests[0].authorization).toBe('Bearer aks-dev-token');
  });

  it('names the environment of every reason in the overall verdict', async () => {
    const { clusters } = await devAndStaging();
    const { service } = healthService(clusters);

    const { verdict } = await service.getEntityHealth(paymentsApi);

    expect(verdict.state).toBe('Degraded');
    expect(verdict.partial).toBeUndefined();
    const degraded = verdict.reasons.filter(r => r.state === 'Degraded');
    expect(degraded.length).toBeGreaterThan(0);
    for (const reason of degraded) {
      expect(reason.environment).toBe('staging');
    }
    expect(verdict.reasons).toContainEqual(
      expect.objectContaining({
        state: 'Healthy',
        environment: 'dev',
        source: 'ArgoCD Application payments-api-dev',
      }),
    );
  });

  it('shows each Crossplane resource with its connection secret', async () => {
    const { dev, staging, clusters } = await devAndStaging();
    const { service } = healthService(clusters);

    const health = await service.getEntityHealth(paymentsApi);

    expect(
      health.resources.map(r => [
        r.environment,
        r.kind,
        r.name,
        r.verdict.state,
      ]),
    ).toEqual([
      ['dev', 'Database', 'payments-db', 'Healthy'],
      ['staging', 'Cache', 'payments-cache', 'Progressing'],
      ['staging', 'Database', 'payments-db', 'Degraded'],
      ['staging', 'Queue', 'payments-events', 'Degraded'],
    ]);
    const [devDb, stagingCache, stagingDb, stagingQueue] = health.resources;
    expect(devDb).toMatchObject({
      cluster: 'aks-dev',
      namespace: SERVICE,
      ready: 'True',
      synced: 'True',
      connectionSecret: { name: 'payments-db-conn', exists: true },
    });
    expect(stagingCache.connectionSecret).toEqual({
      name: 'payments-cache-conn',
      exists: false,
    });
    // A v1 claim names its secret in writeConnectionSecretToRef.
    expect(stagingDb.connectionSecret).toEqual({
      name: 'payments-db-conn',
      exists: false,
    });
    expect(stagingDb.verdict.reasons[0].message).toContain(
      'connection secret payments-db-conn does not exist',
    );
    expect(stagingQueue).toMatchObject({ ready: 'False', synced: 'False' });
    expect(
      stagingQueue.messages.find(m => m.type === 'Synced')?.explanation,
    ).toContain('missing a role assignment');

    // A kind not installed in a cluster (Queue in dev answers 404) is no failure.
    expect(health.failures).toEqual([]);
    expect(
      dev.requestsTo('/apis/platform.idp-portal.io/v1alpha1/queues'),
    ).toHaveLength(1);

    // Secrets are read as metadata only, and their data never reaches the answer. The
    // component's namespace is listed alongside the other reads: no second round trip.
    const secretReads = [...dev.requests, ...staging.requests].filter(r =>
      r.path.includes('/secrets'),
    );
    expect(secretReads.map(r => r.path)).toEqual([
      '/api/v1/namespaces/payments-api/secrets',
      '/api/v1/namespaces/payments-api/secrets',
    ]);
    for (const read of secretReads) {
      expect(read.accept).toContain('as=PartialObjectMetadataList');
    }
    const text = JSON.stringify(health);
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain(
      Buffer.from('s3cr3t-password').toString('base64'),
    );
  });

  it('lists a kind the cluster does not have again only after a minute', async () => {
    const dev = await fake(healthyDev('aks-dev-token'));
    let now = new Date('2026-11-23T10:00:00Z');
    const { service } = healthService([cluster('aks-dev', dev)], {
      config: { cacheTtlMs: 1 },
      now: () => now,
    });
    const read = async (secondsLater: number) => {
      now = new Date(now.getTime() + secondsLater * 1000);
      await new Promise(r => setTimeout(r, 5));
      return service.getEntityHealth(paymentsApi);
    };
    const listed = (plural: string) =>
      dev.requestsTo(`/apis/platform.idp-portal.io/v1alpha1/${plural}`).length;

    await read(0);
    const meanwhile = await read(59);
    expect([listed('queues'), listed('databases')]).toEqual([1, 2]);
    expect(meanwhile.failures).toEqual([]);
    expect(meanwhile.resources.map(r => r.kind)).toEqual(['Database']);

    // Installed since: it shows up once the minute is over.
    dev.options.crossplane!.queues = [
      crossplaneResource({
        kind: 'Queue',
        name: 'payments-events',
        service: SERVICE,
        environment: 'dev',
        conditions: [READY, SYNCED],
      }),
    ];
    const later = await read(2);
    expect(listed('queues')).toBe(2);
    expect(later.resources.map(r => r.kind)).toEqual(['Database', 'Queue']);
  });

  it('asks for a connection secret by name when it is outside the listed namespace, or listing is forbidden', async () => {
    const options = healthyDev('aks-dev-token');
    const elsewhere = crossplaneResource({
      kind: 'Cache',
      name: 'shared-cache',
      service: SERVICE,
      environment: 'dev',
      connectionSecretName: 'shared-cache-conn',
      v1: true,
    });
    (elsewhere.spec as any).writeConnectionSecretToRef.namespace = 'shared';
    const dev = await fake({
      ...options,
      crossplane: { ...options.crossplane, caches: [elsewhere] },
      secrets: [...options.secrets!, 'shared/shared-cache-conn'],
      forbidden: ['list secrets'],
    });
    const { service } = healthService([cluster('aks-dev', dev)]);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.failures).toEqual([]);
    expect(
      health.resources.map(r => [r.name, r.connectionSecret?.exists]),
    ).toEqual([
      ['shared-cache', true],
      ['payments-db', true],
    ]);
    expect(
      dev.requests.filter(r => r.path.includes('/secrets')).map(r => r.path),
    ).toEqual([
      '/api/v1/namespaces/payments-api/secrets',
      expect.stringMatching(
        /^\/api\/v1\/namespaces\/(payments-api\/secrets\/payments-db-conn|shared\/secrets\/shared-cache-conn)$/,
      ),
      expect.stringMatching(
        /^\/api\/v1\/namespaces\/(payments-api\/secrets\/payments-db-conn|shared\/secrets\/shared-cache-conn)$/,
      ),
    ]);
  });

  it('answers within the timeout when a cluster hangs, naming the cluster', async () => {
    const { clusters } = await devAndStaging();
    const prod = await fake({
      ...healthyDev('aks-prod-token'),
      behaviour: 'hang',
    });
    const { service } = healthService(
      [...clusters, cluster('aks-prod', prod)],
      {
        config: { clusterTimeoutMs: 800 },
      },
    );

    const started = Date.now();
    const health = await service.getEntityHealth(paymentsApi);
    const elapsed = Date.now() - started;

    expect(elapsed).toBeLessThan(800 + 1000);
    expect(prod.requests.length).toBeGreaterThan(0);
    expect(health.failures).toEqual([
      {
        source: 'Kubernetes cluster aks-prod',
        message: expect.stringContaining(
          'Kubernetes cluster aks-prod (prod) did not answer within 800 ms',
        ),
      },
    ]);
    const prodRow = health.environments[2];
    expect(prodRow).toMatchObject({
      environment: 'prod',
      cluster: 'aks-prod',
      pods: { ready: 0, total: 0, restarts: 0 },
      verdict: {
        state: 'Unknown',
        partial: true,
        failedSources: ['Kubernetes cluster aks-prod'],
      },
    });
    expect(prodRow.application).toBeUndefined();
    // The other clusters still answer, and the verdict says it is partial.
    expect(health.environments[0].pods.ready).toBe(2);
    expect(health.verdict).toMatchObject({
      state: 'Degraded',
      partial: true,
      failedSources: ['Kubernetes cluster aks-prod'],
    });
  });

  it('keeps what answered in time when only one source of a cluster is slow', async () => {
    const dev = await fake({
      ...healthyDev('aks-dev-token'),
      hanging: ['secrets'],
    });
    const { service } = healthService([cluster('aks-dev', dev)], {
      config: { clusterTimeoutMs: 500 },
    });

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.environments[0]).toMatchObject({
      pods: { ready: 2, total: 2, restarts: 0 },
      application: { syncStatus: 'Synced' },
    });
    expect(health.resources[0].connectionSecret).toEqual({
      name: 'payments-db-conn',
    });
    expect(health.failures).toEqual([
      {
        source: 'Connection secrets in cluster aks-dev',
        message: expect.stringContaining('did not answer within 500 ms'),
      },
    ]);
  });

  it('reads pod timestamps as the API server sent them', async () => {
    // A pod whose container started a minute ago and is not ready yet is starting, not stuck.
    const starting = pod({
      fixture: 'healthy',
      name: 'payments-api-6c9f8d7b5-new01',
      namespace: SERVICE,
      kubernetesId: SERVICE,
      image: DEV_IMAGE,
    });
    const minuteAgo = new Date(Date.now() - 60_000).toISOString();
    const status = starting.status as {
      startTime: string;
      conditions: Array<{ type: string; status: string }>;
      containerStatuses: Array<{ ready: boolean; state: unknown }>;
    };
    status.startTime = minuteAgo;
    for (const condition of status.conditions) {
      if (condition.type === 'Ready' || condition.type === 'ContainersReady') {
        condition.status = 'False';
      }
    }
    status.containerStatuses[0].ready = false;
    status.containerStatuses[0].state = { running: { startedAt: minuteAgo } };
    const dev = await fake({
      ...healthyDev('aks-dev-token'),
      pods: [starting],
    });
    const { service } = healthService([cluster('aks-dev', dev)]);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.environments[0].pods).toEqual({
      ready: 0,
      total: 1,
      restarts: 0,
    });
    expect(health.environments[0].verdict.reasons).toContainEqual(
      expect.objectContaining({
        state: 'Progressing',
        source: 'Kubernetes pods',
      }),
    );
  });

  it('names the cluster and the advice on 401', async () => {
    const dev = await fake(healthyDev('the-real-token'));
    const { service } = healthService([
      cluster('aks-dev', dev, { serviceAccountToken: 'an-expired-token' }),
    ]);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.failures).toEqual([
      {
        source: 'Kubernetes cluster aks-dev',
        message:
          'Kubernetes cluster aks-dev (dev) answered 401: token rejected — check the service account token / Entra sign-in',
      },
    ]);
    expect(health.environments[0].verdict).toMatchObject({
      state: 'Unknown',
      partial: true,
    });
    expect(health.verdict.reasons[0].message).toContain('aks-dev');
  });

  it('names the cluster and the advice on 403', async () => {
    const dev = await fake({
      ...healthyDev('aks-dev-token'),
      behaviour: 'forbidden',
    });
    const { service } = healthService([cluster('aks-dev', dev)]);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.failures).toEqual([
      {
        source: 'Kubernetes cluster aks-dev',
        message:
          'Kubernetes cluster aks-dev (dev) answered 403: the identity may not list pods/applications in this cluster — grant it read access (e.g. a ClusterRole with get/list on pods, applications, the platform.idp-portal.io kinds)',
      },
    ]);
  });

  it('shows what it may read when only some resources are forbidden', async () => {
    const dev = await fake({
      ...healthyDev('aks-dev-token'),
      forbidden: ['applications', 'secrets'],
    });
    const { service } = healthService([cluster('aks-dev', dev)]);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.environments[0].pods).toEqual({
      ready: 2,
      total: 2,
      restarts: 0,
    });
    expect(health.environments[0].application).toBeUndefined();
    expect(health.resources[0].connectionSecret).toEqual({
      name: 'payments-db-conn',
    });
    expect(health.failures).toEqual([
      {
        source: 'ArgoCD Applications in cluster aks-dev',
        message: expect.stringMatching(
          /^Kubernetes cluster aks-dev \(dev\) answered 403 to list ArgoCD Applications \(applications\.argoproj\.io is forbidden: User "system:serviceaccount:backstage:health-reader" cannot list resource "applications".*\): the identity may not list ArgoCD Applications in this cluster — grant it read access/,
        ),
      },
      {
        source: 'Connection secrets in cluster aks-dev',
        message: expect.stringMatching(
          /answered 403 to get secrets .*grant it list \(or get\) on secrets in the component's namespaces/,
        ),
      },
    ]);
    expect(health.verdict).toMatchObject({ state: 'Healthy', partial: true });
  });

  it('shows malformed custom resources as Unknown without failing', async () => {
    const databases = ['a', 'b', 'c', 'd', 'e'].map(name =>
      crossplaneResource({
        kind: 'Database',
        name: `db-${name}`,
        service: SERVICE,
        environment: 'dev',
        connectionSecretName: `db-${name}-conn`,
        conditions: [READY],
      }),
    );
    const statusless = application({
      service: SERVICE,
      environment: 'dev',
      sync: 'Synced',
      health: 'Healthy',
      revision: DEV_REVISION,
    });
    delete statusless.status;
    const dev = await fake({
      ...healthyDev('aks-dev-token'),
      applications: [statusless],
      crossplane: { databases },
      malformedCustomResources: true,
    });
    const { service } = healthService([cluster('aks-dev', dev)]);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.failures).toEqual([]);
    expect(health.resources).toHaveLength(5);
    for (const row of health.resources) {
      expect(row).toMatchObject({
        kind: 'Database',
        ready: 'Unknown',
        synced: 'Unknown',
        verdict: { state: 'Unknown' },
      });
    }
    expect(health.environments[0].application).toMatchObject({
      name: 'payments-api-dev',
      syncStatus: 'Unknown',
      healthStatus: 'Unknown',
    });
    // The pods still tell that dev is healthy.
    expect(health.verdict.state).toBe('Healthy');
  });

  it('names a cluster it cannot connect to', async () => {
    const gone = await fake(healthyDev('aks-dev-token'));
    const url = gone.url;
    await gone.close();
    fakes.splice(fakes.indexOf(gone), 1);
    const { service } = healthService([cluster('aks-dev', { url })]);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.failures).toEqual([
      {
        source: 'Kubernetes cluster aks-dev',
        message: `could not connect to Kubernetes cluster aks-dev (dev) at ${url}: ECONNREFUSED — check the cluster url and that the Backstage backend can reach it`,
      },
    ]);
  });

  it('uses the signed-in user token for aks clusters and asks to sign in without one', async () => {
    const dev = await fake(healthyDev('entra-token-of-alice'));
    const { service } = healthService([
      cluster('aks-dev', dev, {
        authProvider: 'aks',
        serviceAccountToken: undefined,
      }),
    ]);

    const anonymous = await service.getEntityHealth(paymentsApi);
    expect(anonymous.failures).toEqual([
      {
        source: 'Kubernetes cluster aks-dev',
        message: 'sign in with Microsoft to see cluster aks-dev',
        signIn: 'aks',
      },
    ]);
    expect(dev.requests).toHaveLength(0);

    const alice = await service.getEntityHealth(paymentsApi, {
      userAksToken: 'entra-token-of-alice',
    });
    expect(alice.failures).toEqual([]);
    expect(alice.environments[0].pods.ready).toBe(2);
    expect(dev.requests[0].authorization).toBe('Bearer entra-token-of-alice');

    // Another user's answer is read with their own token, not served from Alice's.
    const bob = await service.getEntityHealth(paymentsApi, {
      userAksToken: 'entra-token-of-bob',
    });
    expect(bob.failures[0].message).toContain('401: token rejected');
  });

  it('gets one Azure token for azure clusters and keeps it until it is due', async () => {
    const dev = await fake(healthyDev('azure-token-1'));
    let issued = 0;
    let lifetimeMs = 60 * 60 * 1000;
    const getToken = jest.fn(async (): Promise<AccessToken> => {
      issued += 1;
      return {
        token: `azure-token-${issued}`,
        expiresOnTimestamp: Date.now() + lifetimeMs,
      };
    });
    const azureCredential: TokenCredential = { getToken };
    const { service } = healthService(
      [
        cluster('aks-dev', dev, {
          authProvider: 'azure',
          serviceAccountToken: undefined,
        }),
      ],
      { azureCredential, config: { cacheTtlMs: 1 } },
    );

    const first = await service.getEntityHealth(paymentsApi);
    await new Promise(r => setTimeout(r, 5));
    const second = await service.getEntityHealth(paymentsApi);

    expect(first.failures).toEqual([]);
    expect(second.failures).toEqual([]);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(getToken).toHaveBeenCalledWith(AKS_SCOPE);
    expect(dev.requestsTo('/api/v1/pods')).toHaveLength(2);

    // A token within minutes of expiry is replaced before use.
    lifetimeMs = 60 * 1000;
    const { service: shortLived } = healthService(
      [
        cluster('aks-dev', dev, {
          authProvider: 'azure',
          serviceAccountToken: undefined,
        }),
      ],
      {
        azureCredential: { getToken },
        config: { cacheTtlMs: 1 },
      },
    );
    dev.options.token = 'azure-token-3';
    await shortLived.getEntityHealth(paymentsApi);
    await new Promise(r => setTimeout(r, 5));
    await shortLived.getEntityHealth(paymentsApi);
    expect(getToken).toHaveBeenCalledTimes(3);
  });

  it('names the cluster when the Azure token takes longer than the timeout', async () => {
    const dev = await fake(healthyDev('azure-token'));
    const { service } = healthService(
      [cluster('aks-dev', dev, { authProvider: 'azure' })],
      {
        config: { clusterTimeoutMs: 300 },
        azureCredential: { getToken: () => new Promise(() => {}) },
      },
    );

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.failures).toEqual([
      {
        source: 'Kubernetes cluster aks-dev',
        message: expect.stringMatching(
          /^no token for cluster aks-dev within 300 ms — check the backend's Azure identity/,
        ),
      },
    ]);
  });

  it('names the cluster when no Azure token can be had', async () => {
    const dev = await fake(healthyDev('azure-token'));
    const { service } = healthService(
      [cluster('aks-dev', dev, { authProvider: 'azure' })],
      {
        azureCredential: {
          getToken: async () => {
            throw new Error('WorkloadIdentityCredential: no token file');
          },
        },
      },
    );

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.failures[0]).toEqual({
      source: 'Kubernetes cluster aks-dev',
      message: expect.stringMatching(
        /^no Azure token for cluster aks-dev: WorkloadIdentityCredential: no token file — check the backend's Azure identity/,
      ),
    });
    expect(dev.requests).toHaveLength(0);
  });

  it('serves a second call within the TTL from the cache', async () => {
    const { dev, staging, clusters } = await devAndStaging();
    const { service, cache } = healthService(clusters);

    const first = await service.getEntityHealth(paymentsApi);
    const counts = [dev.requests.length, staging.requests.length];
    const second = await service.getEntityHealth(paymentsApi);

    expect([dev.requests.length, staging.requests.length]).toEqual(counts);
    expect(second).toEqual(first);
    expect(cache.ttls()).toEqual([15000]);
  });

  it('with a hanging cluster and an expired entry, answers every caller at once from the stale entry while one refresh runs', async () => {
    const dev = await fake(healthyDev('aks-dev-token'));
    const prod = await fake({ token: 'aks-prod-token', behaviour: 'hang' });
    let now = new Date('2026-11-23T10:00:00Z');
    const { service } = healthService(
      [cluster('aks-dev', dev), cluster('aks-prod', prod)],
      {
        config: { clusterTimeoutMs: 1500, cacheTtlMs: 15_000, staleTtlMs: 600_000 },
        now: () => now,
      },
    );
    const first = await service.getEntityHealth(paymentsApi);
    expect(first.stale).toBeUndefined();
    expect(first.failures.map(f => f.source)).toEqual(['Kubernetes cluster aks-prod']);
    expect(dev.requestsTo('/api/v1/pods')).toHaveLength(1);

    // Past the TTL: 20 callers arrive together while prod still hangs.
    now = new Date(now.getTime() + 20_000);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => service.getEntityHealth(paymentsApi)),
    );
    // Had they waited for the refresh, they would carry its later generatedAt.
    for (const answer of answers) {
      expect(answer.stale).toBe(true);
      expect(answer.generatedAt).toBe(first.generatedAt);
      expect(answer.verdict).toEqual(first.verdict);
    }
    // Still refreshing: prod hangs for its whole timeout, and a caller now is answered stale too.
    expect((await service.getEntityHealth(paymentsApi)).stale).toBe(true);

    let fresh = await service.getEntityHealth(paymentsApi);
    while (fresh.stale) {
      await new Promise(r => setTimeout(r, 50));
      fresh = await service.getEntityHealth(paymentsApi);
    }
    expect(fresh.generatedAt).toBe(now.toISOString());
    // One refresh for 22 callers: each cluster was read once more, not 22 times.
    expect(dev.requestsTo('/api/v1/pods')).toHaveLength(2);
    expect(prod.requestsTo('/api/v1/pods')).toHaveLength(2);
  });

  it('does not serve stale an answer in which no cluster could be read', async () => {
    const dev = await fake({ ...healthyDev('aks-dev-token'), behaviour: 'unauthorized' });
    let now = new Date('2026-11-23T10:00:00Z');
    const { service } = healthService([cluster('aks-dev', dev)], {
      config: { staleTtlMs: 600_000 },
      now: () => now,
    });
    const first = await service.getEntityHealth(paymentsApi);
    expect(first.verdict.state).toBe('Unknown');
    // The cluster is back; past the short TTL of an all-failed answer the caller waits for it.
    dev.options.behaviour = 'ok';
    now = new Date(now.getTime() + 4000);
    const second = await service.getEntityHealth(paymentsApi);
    expect(second.stale).toBeUndefined();
    expect(second.failures).toEqual([]);
    expect(second.environments[0].pods.ready).toBe(2);
  });

  it('reads the clusters once for calls that arrive together', async () => {
    const { dev, clusters } = await devAndStaging();
    const { service } = healthService(clusters);

    const answers = await Promise.all([
      service.getEntityHealth(paymentsApi),
      service.getEntityHealth(paymentsApi),
      service.getEntityHealth(paymentsApi),
    ]);

    expect(dev.requestsTo('/api/v1/pods')).toHaveLength(1);
    expect(answers[1]).toEqual(answers[0]);
  });

  it('still answers when the cache service fails', async () => {
    const dev = await fake(healthyDev('aks-dev-token'));
    const cache = new MemoryCache();
    cache.get = async () => {
      throw new Error('ECONNREFUSED redis:6379');
    };
    cache.set = async () => {
      throw new Error('ECONNREFUSED redis:6379');
    };
    const { service } = healthService([cluster('aks-dev', dev)], { cache });

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.environments[0].pods.ready).toBe(2);
  });

  it('keeps an answer in which every cluster failed for a few seconds only', async () => {
    const dev = await fake({
      ...healthyDev('aks-dev-token'),
      behaviour: 'unauthorized',
    });
    const { service, cache } = healthService([cluster('aks-dev', dev)]);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.verdict.state).toBe('Unknown');
    expect(cache.ttls()).toEqual([3000]);
  });

  it('refuses a kubernetes-id annotation that is not a label value', async () => {
    const dev = await fake(healthyDev('aks-dev-token'));
    const { service } = healthService([cluster('aks-dev', dev)]);
    const entity: Entity = {
      ...paymentsApi,
      metadata: {
        ...paymentsApi.metadata,
        annotations: { 'backstage.io/kubernetes-id': 'payments-api,app!=x' },
      },
    };

    const health = await service.getEntityHealth(entity);

    expect(dev.requests).toHaveLength(0);
    expect(health.failures).toEqual([
      {
        source: 'backstage.io/kubernetes-id annotation',
        message: expect.stringContaining(
          'is not a valid Kubernetes label value',
        ),
      },
    ]);
    expect(health.verdict.state).toBe('Unknown');
  });

  it('falls back to the entity name without the annotation', async () => {
    const dev = await fake(healthyDev('aks-dev-token'));
    const { service } = healthService([cluster('aks-dev', dev)]);

    await service.getEntityHealth({
      ...paymentsApi,
      metadata: { name: SERVICE, namespace: 'default' },
    });

    expect(dev.requests[0].labelSelector).toBe(
      'backstage.io/kubernetes-id=payments-api',
    );
  });

  it('reports an authProvider it does not support', async () => {
    const dev = await fake(healthyDev('aks-dev-token'));
    const { service } = healthService([
      cluster('aks-dev', dev, { authProvider: 'oidc' }),
    ]);

    const health = await service.getEntityHealth(paymentsApi);

    expect(health.failures[0].message).toBe(
      'cluster aks-dev uses authProvider oidc, which the health plugin does not support — use serviceAccount, azure or aks',
    );
  });
});

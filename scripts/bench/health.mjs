// Benchmark: the health route of one component against 3 fake AKS clusters holding
// 2,000 pods in total, next to the slowest single upstream call measured in the same
// run. The clusters are plain HTTP servers answering like the Kubernetes API (PodList,
// ArgoCD Applications, Crossplane resources, secrets), each on its own thread as real
// clusters are separate machines: served from one thread, the three pod lists would
// leave one after another. Prints figures; asserts nothing.
//
// The clusters have every kind the route lists installed, as a platform's clusters do, and
// serve pod watches (no pod changes during the run). With health.podWatch on (the default)
// the route reads pods from the watch and lists none.
//
//   node scripts/bench/health.mjs [iterations] [upstreamDelayMs]
//   BENCH_POD_WATCH=0 node scripts/bench/health.mjs        (pods listed on every read)
//   BENCH_POD_LIST_WORKERS=0 node scripts/bench/health.mjs   (compare health.podListWorkers)
import http from 'node:http';
import {
  Worker,
  isMainThread,
  parentPort,
  workerData,
} from 'node:worker_threads';
import {
  assertPortFree,
  base,
  guestToken,
  percentile as pct,
  startBackend,
  until,
} from './lib.mjs';

const iterations = Number(process.argv[2] ?? 50);
// The cluster threads get it from the main thread: their own argv holds no arguments.
const delayMs = Number(
  isMainThread ? process.argv[3] ?? 20 : workerData.delayMs,
);
const TOKEN = 'bench-token';
const SERVICE = 'payments-api';
const PODS = [667, 667, 666];

function pod(cluster, i) {
  const ready = i % 50 !== 0;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${SERVICE}-7d9c8b6f5-${cluster}${i}`,
      namespace: SERVICE,
      uid: `${cluster}-${i}`,
      labels: {
        'backstage.io/kubernetes-id': SERVICE,
        'app.kubernetes.io/name': SERVICE,
      },
      creationTimestamp: '2026-11-20T10:00:00Z',
    },
    spec: {
      containers: [
        {
          name: SERVICE,
          image: `contoso.azurecr.io/${SERVICE}:1.4.${cluster}`,
        },
      ],
    },
    status: {
      phase: 'Running',
      startTime: '2026-11-20T10:00:05Z',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: SERVICE,
          ready,
          restartCount: ready ? 0 : 12,
          image: `contoso.azurecr.io/${SERVICE}:1.4.${cluster}`,
          state: ready
            ? { running: { startedAt: '2026-11-20T10:00:06Z' } }
            : {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: 'back-off 5m0s restarting failed container',
                },
              },
        },
      ],
    },
  };
}

function fakeCluster(index, env) {
  const pods = Array.from({ length: PODS[index] }, (_, i) => pod(index, i));
  // Encoded once, as an API server serves a list from its watch cache.
  const podList = Buffer.from(
    JSON.stringify({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '1' },
      items: pods,
    }),
  );
  const apps = JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationList',
    metadata: {},
    items: [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: `${SERVICE}-${env}`,
          namespace: 'argocd',
          labels: {
            'backstage.io/kubernetes-id': SERVICE,
            'idp-portal/environment': env,
          },
        },
        spec: {
          project: 'payments-team',
          destination: { name: `aks-${env}`, namespace: SERVICE },
          source: {
            repoURL: 'https://github.com/contoso/gitops.git',
            path: `apps/${SERVICE}/overlays/${env}`,
          },
        },
        status: {
          sync: {
            status: 'Synced',
            revision: '9f3c2a1b7e6d5c4b3a291807f6e5d4c3b2a19087',
          },
          health: { status: 'Healthy' },
        },
      },
    ],
  });
  const db = JSON.stringify({
    apiVersion: 'platform.idp-portal.io/v1alpha1',
    kind: 'DatabaseList',
    metadata: {},
    items: [
      {
        apiVersion: 'platform.idp-portal.io/v1alpha1',
        kind: 'Database',
        metadata: {
          name: 'payments-db',
          namespace: SERVICE,
          labels: { 'backstage.io/kubernetes-id': SERVICE },
        },
        spec: { size: 'small', connectionSecretName: 'payments-db-connection' },
        status: {
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Available' },
            { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
          ],
        },
      },
    ],
  });
  // What the API server answers to a metadata-only list of the namespace's secrets.
  const secrets = JSON.stringify({
    kind: 'PartialObjectMetadataList',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '1' },
    items: ['payments-db-connection', 'payments-api-tls'].map(name => ({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name, namespace: SERVICE },
    })),
  });
  const empty = kind =>
    JSON.stringify({
      apiVersion: 'platform.idp-portal.io/v1alpha1',
      kind: `${kind}List`,
      metadata: { resourceVersion: '1' },
      items: [],
    });
  const installed = {
    '/apis/platform.idp-portal.io/v1alpha1/caches': empty('Cache'),
    '/apis/platform.idp-portal.io/v1alpha1/queues': empty('Queue'),
    '/apis/platform.idp-portal.io/v1alpha1/documentdatabases':
      empty('DocumentDatabase'),
  };
  const notFound = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'NotFound',
    code: 404,
    message: 'the server could not find the requested resource',
  });
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          kind: 'Status',
          status: 'Failure',
          reason: 'Unauthorized',
          code: 401,
        }),
      );
      return;
    }
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/api/v1/pods' && url.searchParams.get('watch')) {
      // A watch: headers after the delay, then the stream stays open; no pod changes.
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        parentPort.postMessage({ watching: true });
      }, delayMs);
      return;
    }
    let status = 200;
    let body;
    if (url.pathname === '/api/v1/pods') body = podList;
    else if (url.pathname === '/apis/argoproj.io/v1alpha1/applications')
      body = apps;
    else if (url.pathname === '/apis/platform.idp-portal.io/v1alpha1/databases')
      body = db;
    else if (url.pathname === `/api/v1/namespaces/${SERVICE}/secrets`)
      body = secrets;
    else if (installed[url.pathname]) body = installed[url.pathname];
    else if (url.pathname.includes('/secrets/'))
      body = JSON.stringify({
        kind: 'Secret',
        apiVersion: 'v1',
        metadata: { name: 'payments-db-connection', namespace: SERVICE },
      });
    else {
      status = 404;
      body = notFound;
    }
    setTimeout(
      () =>
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(body),
      delayMs,
    );
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: server.address().port, env }),
    ),
  );
}

if (!isMainThread) {
  const { port } = await fakeCluster(workerData.index, workerData.env);
  parentPort.postMessage({ port });
} else {
  await main();
}

/** Starts a fake cluster on a thread of its own; resolves once it listens. */
function clusterThread(index, env) {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { index, env, delayMs },
  });
  const cluster = { worker, env, watching: false };
  worker.on('message', message => {
    if (message.watching) cluster.watching = true;
  });
  return new Promise((resolve, reject) => {
    worker.once('message', ({ port }) =>
      resolve(Object.assign(cluster, { port })),
    );
    worker.once('error', reject);
  });
}

async function main() {
  const clusters = await Promise.all(
    ['dev', 'staging', 'prod'].map((env, i) => clusterThread(i, env)),
  );
  await assertPortFree();
  const stopBackend = startBackend([], {
    APP_CONFIG_kubernetes_clusterLocatorMethods: JSON.stringify([
      {
        type: 'config',
        clusters: clusters.map(c => ({
          name: `aks-${c.env}`,
          url: `http://127.0.0.1:${c.port}`,
          authProvider: 'serviceAccount',
          serviceAccountToken: TOKEN,
          skipTLSVerify: true,
        })),
      },
    ]),
    // A 1 ms cache, never served stale: every call below reads the clusters.
    APP_CONFIG_health: JSON.stringify({
      cacheTtlMs: 1,
      staleTtlMs: 1,
      timeouts: { clusterMs: 5000 },
      podWatch: process.env.BENCH_POD_WATCH !== '0',
      ...(process.env.BENCH_POD_LIST_WORKERS
        ? { podListWorkers: Number(process.env.BENCH_POD_LIST_WORKERS) }
        : {}),
    }),
  });
  const stop = () => {
    stopBackend();
    clusters.forEach(c => c.worker.terminate());
  };
  process.on('exit', stop);

  const token = await guestToken();
  const route = `${base}/api/health/v1/entities/component/default/${SERVICE}/environments`;
  await until(
    'the entity',
    async () =>
      (
        await fetch(route, { headers: { Authorization: `Bearer ${token}` } })
      ).ok,
  );

  async function timeRoute() {
    const t = performance.now();
    const res = await fetch(route, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const body = await res.json();
    const ms = performance.now() - t;
    if (!res.ok) throw new Error(`the route answered ${res.status}: ${JSON.stringify(body)}`);
    const pods = body.environments.reduce((n, e) => n + e.pods.total, 0);
    if (pods !== 2000 || body.failures.length)
      throw new Error(
        `unexpected answer: ${pods} pods, ${JSON.stringify(body.failures)}`,
      );
    return ms;
  }
  async function timeUpstream(c) {
    const t = performance.now();
    const res = await fetch(
      `http://127.0.0.1:${c.port}/api/v1/pods?labelSelector=backstage.io%2Fkubernetes-id%3D${SERVICE}`,
      {
        headers: { Authorization: `Bearer ${TOKEN}` },
      },
    );
    await res.json();
    return performance.now() - t;
  }

  // The same permission-checked lookup the route makes before it may answer.
  const entity = `${base}/api/catalog/entities/by-name/component/default/${SERVICE}`;
  async function timeCatalog() {
    const t = performance.now();
    const res = await fetch(entity, {
      headers: { Authorization: `Bearer ${token}` },
    });
    await res.json();
    return performance.now() - t;
  }

  // The route's own calls that remain with a watch: the ArgoCD Applications list stands for
  // them (same delay, a small answer).
  async function timeSmallList(c) {
    const t = performance.now();
    const res = await fetch(
      `http://127.0.0.1:${c.port}/apis/argoproj.io/v1alpha1/applications?labelSelector=backstage.io%2Fkubernetes-id%3D${SERVICE}`,
      { headers: { Authorization: `Bearer ${TOKEN}` } },
    );
    await res.json();
    return performance.now() - t;
  }

  for (let i = 0; i < 5; i++) await timeRoute();
  const watching = process.env.BENCH_POD_WATCH !== '0';
  if (watching) {
    await until('the pod watches', () => clusters.every(c => c.watching));
    for (let i = 0; i < 5; i++) await timeRoute();
  }
  const routeMs = [];
  const slowestUpstreamMs = [];
  const catalogMs = [];
  const slowestSmallMs = [];
  for (let i = 0; i < iterations; i++) {
    routeMs.push(await timeRoute());
    const ups = [];
    for (const c of clusters) ups.push(await timeUpstream(c));
    slowestUpstreamMs.push(Math.max(...ups));
    const small = [];
    for (const c of clusters) small.push(await timeSmallList(c));
    slowestSmallMs.push(Math.max(...small));
    catalogMs.push(await timeCatalog());
  }
  console.log(
    `iterations: ${iterations}, 3 clusters, ${PODS.reduce(
      (a, b) => a + b,
    )} pods, upstream delay ${delayMs} ms per response, pods ${
      watching ? 'from a watch' : 'listed on every read'
    }`,
  );
  console.log(
    `health route (environments)   p50 ${pct(routeMs, 50).toFixed(
      0,
    )} ms  p95 ${pct(routeMs, 95).toFixed(0)} ms`,
  );
  console.log(
    `slowest single upstream call  p50 ${pct(slowestUpstreamMs, 50).toFixed(
      0,
    )} ms  p95 ${pct(slowestUpstreamMs, 95).toFixed(0)} ms`,
  );
  console.log(
    `slowest small list (ArgoCD)   p50 ${pct(slowestSmallMs, 50).toFixed(
      0,
    )} ms  p95 ${pct(slowestSmallMs, 95).toFixed(0)} ms`,
  );
  console.log(
    `catalog lookup alone          p50 ${pct(catalogMs, 50).toFixed(
      0,
    )} ms  p95 ${pct(catalogMs, 95).toFixed(0)} ms`,
  );
  console.log(
    `ratio route/slowest upstream  p50 ${(
      pct(routeMs, 50) / pct(slowestUpstreamMs, 50)
    ).toFixed(2)}  p95 ${(
      pct(routeMs, 95) / pct(slowestUpstreamMs, 95)
    ).toFixed(2)}`,
  );
  console.log(
    `ratio route/slowest small    p50 ${(
      pct(routeMs, 50) / pct(slowestSmallMs, 50)
    ).toFixed(2)}  p95 ${(pct(routeMs, 95) / pct(slowestSmallMs, 95)).toFixed(
      2,
    )}`,
  );
  stop();
  process.exit(0);
}

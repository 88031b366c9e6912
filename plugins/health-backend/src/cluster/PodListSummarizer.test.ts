import { mockServices } from '@backstage/backend-test-utils';
import { summarizePods } from '@internal/plugin-health-common';
import { ApiException } from '@kubernetes/client-node';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import {
  FakeKubernetes,
  healthyDev,
  pod,
} from '@internal/test-fakes/kubernetes';
import { selfSignedCertificate } from '@internal/test-fakes';
import { ClusterConfig } from '../config';
import { KubernetesConnection } from './KubernetesConnections';
import { PodListSummarizer, WORKER_THRESHOLD_BYTES } from './PodListSummarizer';

const NOW = new Date('2025-11-20T12:00:00Z');

// Jest transpiles in its own way; a thread needs Backstage's Node transform to load the
// TypeScript sources of @internal/plugin-health-common, as `backstage-cli package start` gives it.
const TRANSFORM = [
  '--require',
  require.resolve('@backstage/cli/config/nodeTransform.cjs'),
];

function podList(count: number): Buffer {
  const fixtures = ['healthy', 'crashing', 'missingConfigMap'] as const;
  const items = Array.from({ length: count }, (_, i) =>
    pod({
      fixture: fixtures[i % 3],
      name: `payments-api-6c9f8d7b5-${i}`,
      namespace: 'payments-api',
      kubernetesId: 'payments-api',
      image: `contoso.azurecr.io/payments-api:1.4.${i % 2}`,
    }),
  );
  return Buffer.from(
    JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items }),
  );
}

function inPlace(body: Buffer) {
  return summarizePods(JSON.parse(body.toString('utf8')).items, NOW);
}

describe('PodListSummarizer', () => {
  let summarizer: PodListSummarizer | undefined;
  afterEach(async () => {
    await summarizer?.close();
    summarizer = undefined;
  });

  it('summarises large lists on threads, side by side, as summarizePods does in place', async () => {
    summarizer = new PodListSummarizer({
      workers: 2,
      logger: mockServices.logger.mock(),
      execArgv: TRANSFORM,
    });
    await summarizer.started();
    const lists = [podList(700), podList(650), podList(667)];
    const expected = lists.map(inPlace);
    expect(lists[0].byteLength).toBeGreaterThan(WORKER_THRESHOLD_BYTES);

    const summaries = await Promise.all(
      lists.map(list => summarizer!.summarize(list, NOW)),
    );

    expect(summaries).toEqual(expected);
    // The bytes moved to the threads instead of being copied.
    expect(lists.map(list => list.byteLength)).toEqual([0, 0, 0]);
    expect(summaries[0]).toMatchObject({
      total: 700,
      ready: 234,
      crashLooping: 466,
    });
    expect(summarizer.counts).toEqual({ onThreads: 3, inPlace: 0 });
    expect(summarizer.workers).toBe(2);
  });

  it('summarises a small list in place', async () => {
    summarizer = new PodListSummarizer({
      workers: 1,
      logger: mockServices.logger.mock(),
      execArgv: TRANSFORM,
    });
    const list = podList(3);

    expect(await summarizer.summarize(list, NOW)).toEqual(inPlace(list));
    expect(summarizer.counts).toEqual({ onThreads: 0, inPlace: 1 });
  });

  it('rejects a list that is not JSON, naming the problem', async () => {
    summarizer = new PodListSummarizer({
      workers: 1,
      logger: mockServices.logger.mock(),
      execArgv: TRANSFORM,
    });
    await summarizer.started();
    const broken = Buffer.concat([podList(200), Buffer.from('}')]);

    await expect(summarizer.summarize(broken, NOW)).rejects.toThrow(/JSON/);
    expect(summarizer.workers).toBe(1);
  });

  it('parses in place, warning once, when its threads cannot run', async () => {
    const logger = mockServices.logger.mock();
    // Without the transform the thread cannot load TypeScript and exits.
    summarizer = new PodListSummarizer({ workers: 2, logger, execArgv: [] });
    await summarizer.started();
    const list = podList(400);

    const [a, b] = await Promise.all([
      summarizer.summarize(list, NOW),
      summarizer.summarize(list, NOW),
    ]);

    expect(a).toEqual(inPlace(list));
    expect(b).toEqual(inPlace(list));
    expect(summarizer.counts.inPlace).toBe(2);
    expect(summarizer.workers).toBe(0);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      'Health parses pod lists on the main thread: a worker thread could not run',
      expect.objectContaining({ error: expect.any(String) }),
    );
  });

  it('parses in place with no threads configured', async () => {
    summarizer = new PodListSummarizer({
      workers: 0,
      logger: mockServices.logger.mock(),
    });
    const list = podList(400);

    expect(await summarizer.summarize(list, NOW)).toEqual(inPlace(list));
    expect(summarizer.counts).toEqual({ onThreads: 0, inPlace: 1 });
  });
});

describe('PodListSummarizer fetching on its threads', () => {
  let summarizer: PodListSummarizer;
  let fake: FakeKubernetes;
  const cluster = (url: string): ClusterConfig => ({
    name: 'aks-dev',
    url,
    authProvider: 'serviceAccount',
    skipTLSVerify: true,
    environment: 'dev',
  });
  const path = '/api/v1/pods?labelSelector=app%3Dpayments-api';
  const notExpected = () => Promise.reject(new Error('no fallback expected'));
  /** The pod list of `connection`, fetched on a thread. */
  const onThread = async (
    connection: KubernetesConnection,
    signal = new AbortController().signal,
  ) =>
    summarizer.fetchAndSummarize(
      (await connection.request(path))!,
      NOW,
      signal,
      notExpected,
    )!;

  beforeEach(async () => {
    fake = await FakeKubernetes.start(healthyDev('sa-token'));
    summarizer = new PodListSummarizer({
      workers: 1,
      logger: mockServices.logger.mock(),
      execArgv: TRANSFORM,
    });
    await summarizer.started();
  });
  afterEach(async () => {
    await summarizer.close();
    await fake.close();
  });

  it("fetches with the connection's credentials over one kept-alive connection", async () => {
    const connection = new KubernetesConnection(cluster(fake.url), 'sa-token');
    const request = (await connection.request(path))!;
    const signal = new AbortController().signal;

    const first = await summarizer.fetchAndSummarize(
      request,
      NOW,
      signal,
      notExpected,
    );
    const second = await summarizer.fetchAndSummarize(
      request,
      NOW,
      signal,
      notExpected,
    );

    expect(first).toEqual(summarizePods(fake.options.pods!.slice(0, 2), NOW));
    expect(second).toEqual(first);
    expect(summarizer.counts.onThreads).toBe(2);
    expect(fake.requests.map(r => [r.path, r.authorization])).toEqual([
      ['/api/v1/pods', 'Bearer sa-token'],
      ['/api/v1/pods', 'Bearer sa-token'],
    ]);
    expect(fake.connectionsOpened).toBe(1);
    connection.close();
  });

  it('gives the errors the calling thread would have got', async () => {
    const signal = new AbortController().signal;
    const rejected = new KubernetesConnection(cluster(fake.url), 'wrong-token');
    const status = await onThread(rejected, signal).catch(e => e);
    expect(status).toBeInstanceOf(ApiException);
    expect(status.code).toBe(401);
    expect(JSON.parse(status.body)).toMatchObject({ reason: 'Unauthorized' });

    const closed = await FakeKubernetes.start({ token: 'x' });
    const url = closed.url;
    await closed.close();
    const refused = await onThread(
      new KubernetesConnection(cluster(url), 'x'),
      signal,
    ).catch(e => e);
    expect(refused.code).toBe('ECONNREFUSED');
  });

  it('stops the request when the deadline aborts it', async () => {
    fake.behaviour = 'hang';
    const controller = new AbortController();
    const connection = new KubernetesConnection(cluster(fake.url), 'sa-token');
    const reading = onThread(connection, controller.signal);
    while (fake.requests.length === 0) {
      await new Promise(resolve => setTimeout(resolve, 5));
    }

    controller.abort();

    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('verifies the API server with the cluster CA, as client-node would', async () => {
    const { cert, key } = selfSignedCertificate();
    const pods = fake.options.pods!.slice(0, 2);
    const server = https.createServer({ cert, key }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items: pods }),
      );
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const signal = new AbortController().signal;
    try {
      const trusted = new KubernetesConnection(
        {
          ...cluster(url),
          skipTLSVerify: false,
          caData: Buffer.from(cert).toString('base64'),
        },
        'sa-token',
      );
      await expect(onThread(trusted, signal)).resolves.toEqual(
        summarizePods(pods, NOW),
      );

      const untrusted = new KubernetesConnection(
        { ...cluster(url), skipTLSVerify: false },
        'sa-token',
      );
      const refused = await onThread(untrusted, signal).catch(e => e);
      expect(refused.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
      trusted.close();
      untrusted.close();
    } finally {
      server.close();
    }
  });

  it('leaves the fetch to the caller when no thread runs', async () => {
    const none = new PodListSummarizer({
      workers: 0,
      logger: mockServices.logger.mock(),
    });
    const connection = new KubernetesConnection(cluster(fake.url), 'sa-token');

    expect(
      none.fetchAndSummarize(
        (await connection.request(path))!,
        NOW,
        new AbortController().signal,
        notExpected,
      ),
    ).toBeUndefined();
  });
});

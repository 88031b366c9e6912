import { mockServices } from '@backstage/backend-test-utils';
import {
  ClusterDetails,
  FetchResponseWrapper,
  KubernetesCredential,
  KubernetesFetcher,
  ObjectFetchParams,
} from '@backstage/plugin-kubernetes-node';
import { readClusterTimeoutMs, withClusterTimeout } from './clusterTimeout';

const cluster: ClusterDetails = {
  name: 'aks-prod',
  url: 'https://aks-prod.example.com',
  authMetadata: {},
};
const credential: KubernetesCredential = { type: 'anonymous' };
const params: ObjectFetchParams = {
  serviceId: 'payments-api',
  clusterDetails: cluster,
  credential,
  objectTypesToFetch: new Set(),
  labelSelector: 'backstage.io/kubernetes-id=payments-api',
  customResources: [],
};
const answer: FetchResponseWrapper = {
  errors: [],
  responses: [{ type: 'pods', resources: [] }],
};
const never = () => new Promise<FetchResponseWrapper>(() => {});

function fakeFetcher(read: () => Promise<FetchResponseWrapper>) {
  return {
    fetchObjectsForService: jest.fn(read),
    fetchPodMetricsByNamespaces: jest.fn(read),
  } satisfies KubernetesFetcher;
}

describe('withClusterTimeout', () => {
  let logger: ReturnType<typeof mockServices.logger.mock>;

  beforeEach(() => {
    logger = mockServices.logger.mock();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('passes an answer that arrives in time through untouched and clears its timer', async () => {
    jest.useFakeTimers();
    const inner = fakeFetcher(async () => answer);
    const fetcher = withClusterTimeout(inner, { timeoutMs: 500, logger });

    await expect(fetcher.fetchObjectsForService(params)).resolves.toBe(answer);
    await expect(
      fetcher.fetchPodMetricsByNamespaces(
        cluster,
        credential,
        new Set(['payments-api']),
        'app=payments-api',
      ),
    ).resolves.toBe(answer);

    expect(inner.fetchObjectsForService).toHaveBeenCalledWith(params);
    expect(inner.fetchPodMetricsByNamespaces).toHaveBeenCalledWith(
      cluster,
      credential,
      new Set(['payments-api']),
      'app=payments-api',
    );
    expect(jest.getTimerCount()).toBe(0);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('passes a failure through, so that upstream still reports unreachable clusters itself', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      name: 'FetchError',
    });
    const fetcher = withClusterTimeout(
      fakeFetcher(() => Promise.reject(refused)),
      { timeoutMs: 500, logger },
    );

    await expect(fetcher.fetchObjectsForService(params)).rejects.toBe(refused);
  });

  it('answers a FETCH_ERROR naming the cluster once the timeout passes', async () => {
    jest.useFakeTimers();
    const fetcher = withClusterTimeout(fakeFetcher(never), {
      timeoutMs: 500,
      logger,
    });

    let settled = false;
    const objects = fetcher.fetchObjectsForService(params).finally(() => {
      settled = true;
    });
    const metrics = fetcher.fetchPodMetricsByNamespaces(
      cluster,
      credential,
      new Set(['payments-api']),
    );
    await jest.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);

    const expected = {
      errors: [
        {
          errorType: 'FETCH_ERROR',
          message:
            'Kubernetes cluster aks-prod did not answer within 500 ms — check that the API server is reachable from the Backstage backend (a private AKS cluster needs a network path) and not overloaded',
        },
      ],
      responses: [],
    };
    await expect(objects).resolves.toEqual(expected);
    await expect(metrics).resolves.toEqual(expected);
    expect(logger.warn).toHaveBeenCalledWith(
      'Kubernetes cluster did not answer in time',
      { cluster: 'aks-prod', timeoutMs: 500 },
    );
  });
});

describe('withClusterTimeout on a cluster that stays stuck', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('keeps one read open per hanging cluster, answers at once meanwhile, and asks again when it ends', async () => {
    jest.useFakeTimers();
    let clock = 0;
    let endStuckRead = (_: FetchResponseWrapper) => {};
    const inner = fakeFetcher(
      () =>
        new Promise<FetchResponseWrapper>(resolve => {
          endStuckRead = resolve;
        }),
    );
    const fetcher = withClusterTimeout(inner, {
      timeoutMs: 500,
      logger: mockServices.logger.mock(),
      now: () => clock,
    });

    const first = fetcher.fetchObjectsForService(params);
    await jest.advanceTimersByTimeAsync(500);
    await expect(first).resolves.toMatchObject({
      errors: [{ message: expect.stringContaining('did not answer within') }],
    });

    // The tab polls again 10 s later: the cluster is not asked while its read is open.
    clock = 10_000;
    await expect(fetcher.fetchObjectsForService(params)).resolves.toEqual({
      errors: [
        {
          errorType: 'FETCH_ERROR',
          message: expect.stringMatching(
            /^Kubernetes cluster aks-prod has not answered a read sent 10 s ago, so it is not asked again until that read ends/,
          ),
        },
      ],
      responses: [],
    });
    expect(inner.fetchObjectsForService).toHaveBeenCalledTimes(1);

    // The open read ends: the next poll asks the cluster again.
    endStuckRead(answer);
    await Promise.resolve();
    inner.fetchObjectsForService.mockImplementation(async () => answer);
    await expect(fetcher.fetchObjectsForService(params)).resolves.toBe(answer);
    expect(inner.fetchObjectsForService).toHaveBeenCalledTimes(2);
  });

  it('asks a stuck cluster again after retryStuckAfterMs, in case the open read was lost', async () => {
    jest.useFakeTimers();
    let clock = 0;
    const inner = fakeFetcher(never);
    const fetcher = withClusterTimeout(inner, {
      timeoutMs: 500,
      logger: mockServices.logger.mock(),
      retryStuckAfterMs: 60_000,
      now: () => clock,
    });

    const first = fetcher.fetchObjectsForService(params);
    await jest.advanceTimersByTimeAsync(500);
    await first;
    clock = 59_999;
    await fetcher.fetchObjectsForService(params);
    expect(inner.fetchObjectsForService).toHaveBeenCalledTimes(1);

    clock = 60_000;
    const retry = fetcher.fetchObjectsForService(params);
    await jest.advanceTimersByTimeAsync(500);
    await expect(retry).resolves.toMatchObject({
      errors: [{ message: expect.stringContaining('did not answer within') }],
    });
    expect(inner.fetchObjectsForService).toHaveBeenCalledTimes(2);
  });
});

describe('readClusterTimeoutMs', () => {
  const read = (kubernetes: { clusterTimeoutMs?: number | string }) =>
    readClusterTimeoutMs(mockServices.rootConfig({ data: { kubernetes } }));

  it('defaults to 10 seconds', () => {
    expect(read({})).toBe(10_000);
  });

  it('reads kubernetes.clusterTimeoutMs', () => {
    expect(read({ clusterTimeoutMs: 2500 })).toBe(2500);
  });

  it.each([0, -1])('rejects %p', value => {
    expect(() => read({ clusterTimeoutMs: value })).toThrow(
      `kubernetes.clusterTimeoutMs must be a positive number of milliseconds, got ${value}`,
    );
  });

  it('rejects a value that is not a number', () => {
    expect(() => read({ clusterTimeoutMs: 'soon' })).toThrow(
      /kubernetes\.clusterTimeoutMs/,
    );
  });
});

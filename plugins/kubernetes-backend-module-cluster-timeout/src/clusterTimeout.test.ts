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

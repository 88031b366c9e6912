import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  FetchResponseWrapper,
  KubernetesFetcher,
} from '@backstage/plugin-kubernetes-node';

const CLUSTER_TIMEOUT_CONFIG_KEY = 'kubernetes.clusterTimeoutMs';
const DEFAULT_CLUSTER_TIMEOUT_MS = 10_000;

/** `kubernetes.clusterTimeoutMs`, or 10 seconds; anything but a positive number stops startup. */
export function readClusterTimeoutMs(config: RootConfigService): number {
  const value = config.getOptionalNumber(CLUSTER_TIMEOUT_CONFIG_KEY);
  if (value === undefined) return DEFAULT_CLUSTER_TIMEOUT_MS;
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(
      `${CLUSTER_TIMEOUT_CONFIG_KEY} must be a positive number of milliseconds, got ${value}`,
    );
  }
  return value;
}

/** What the Kubernetes tab shows for a cluster that did not answer in time. */
function clusterTimeoutMessage(clusterName: string, timeoutMs: number): string {
  return (
    `Kubernetes cluster ${clusterName} did not answer within ${timeoutMs} ms — ` +
    'check that the API server is reachable from the Backstage backend ' +
    '(a private AKS cluster needs a network path) and not overloaded'
  );
}

/**
 * Wraps the Kubernetes plugin's fetcher so that every read of one cluster ends within
 * `timeoutMs`. Upstream waits for all clusters with no limit, so one cluster that never
 * answers leaves the whole Kubernetes tab loading; here that cluster's read instead resolves
 * to a FETCH_ERROR naming it, which the tab lists next to the clusters that did answer.
 */
export function withClusterTimeout(
  fetcher: KubernetesFetcher,
  options: { timeoutMs: number; logger: LoggerService },
): KubernetesFetcher {
  const { timeoutMs, logger } = options;

  const withinTimeout = (
    clusterName: string,
    read: Promise<FetchResponseWrapper>,
  ): Promise<FetchResponseWrapper> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<FetchResponseWrapper>(resolve => {
      timer = setTimeout(() => {
        logger.warn('Kubernetes cluster did not answer in time', {
          cluster: clusterName,
          timeoutMs,
        });
        resolve({
          errors: [
            {
              errorType: 'FETCH_ERROR',
              message: clusterTimeoutMessage(clusterName, timeoutMs),
            },
          ],
          responses: [],
        });
      }, timeoutMs);
    });
    // The default fetcher takes no abort signal, so the late request is left to finish on its
    // own; only its answer is dropped. The timer must not outlive a fast answer.
    return Promise.race([read, timedOut]).finally(() => clearTimeout(timer));
  };

  return {
    fetchObjectsForService(params) {
      return withinTimeout(
        params.clusterDetails.name,
        fetcher.fetchObjectsForService(params),
      );
    },
    fetchPodMetricsByNamespaces(
      clusterDetails,
      credential,
      namespaces,
      labelSelector,
    ) {
      return withinTimeout(
        clusterDetails.name,
        fetcher.fetchPodMetricsByNamespaces(
          clusterDetails,
          credential,
          namespaces,
          labelSelector,
        ),
      );
    },
  };
}

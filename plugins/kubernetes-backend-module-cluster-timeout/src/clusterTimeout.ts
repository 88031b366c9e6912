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

/** What the tab shows for a cluster that still has not answered an earlier read. */
function stuckClusterMessage(clusterName: string, sinceMs: number): string {
  return (
    `Kubernetes cluster ${clusterName} has not answered a read sent ${Math.round(
      sinceMs / 1000,
    )} s ago, so it is not asked again until that read ends — ` +
    'check that the API server is reachable from the Backstage backend ' +
    '(a private AKS cluster needs a network path) and not overloaded'
  );
}

/**
 * Wraps the Kubernetes plugin's fetcher so that every read of one cluster ends within
 * `timeoutMs`. Upstream waits for all clusters with no limit, so one cluster that never
 * answers leaves the whole Kubernetes tab loading; here that cluster's read instead resolves
 * to a FETCH_ERROR naming it, which the tab lists next to the clusters that did answer.
 *
 * A read that timed out cannot be cancelled (the default fetcher takes no abort signal). While
 * it is still open, the cluster is not asked again but answered at once, so a hanging cluster
 * holds one open read, not one more for every open tab every 10 seconds. After
 * `retryStuckAfterMs` (a minute, or 5 timeouts) it is asked again regardless, in case the
 * open read was lost.
 */
export function withClusterTimeout(
  fetcher: KubernetesFetcher,
  options: {
    timeoutMs: number;
    logger: LoggerService;
    retryStuckAfterMs?: number;
    now?: () => number;
  },
): KubernetesFetcher {
  const { timeoutMs, logger } = options;
  const retryStuckAfterMs =
    options.retryStuckAfterMs ?? Math.max(60_000, 5 * timeoutMs);
  const now = options.now ?? Date.now;
  // Clusters with a read that timed out and has not ended, and when it was sent.
  const stuck = new Map<string, { since: number; read: Promise<unknown> }>();

  const withinTimeout = (
    clusterName: string,
    startRead: () => Promise<FetchResponseWrapper>,
  ): Promise<FetchResponseWrapper> => {
    const open = stuck.get(clusterName);
    if (open && now() - open.since < retryStuckAfterMs) {
      return Promise.resolve({
        errors: [
          {
            errorType: 'FETCH_ERROR',
            message: stuckClusterMessage(clusterName, now() - open.since),
          },
        ],
        responses: [],
      });
    }
    const since = now();
    const read = startRead();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<FetchResponseWrapper>(resolve => {
      timer = setTimeout(() => {
        logger.warn('Kubernetes cluster did not answer in time', {
          cluster: clusterName,
          timeoutMs,
        });
        stuck.set(clusterName, { since, read });
        const unstick = () => {
          if (stuck.get(clusterName)?.read === read) stuck.delete(clusterName);
        };
        read.then(unstick, unstick);
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
      return withinTimeout(params.clusterDetails.name, () =>
        fetcher.fetchObjectsForService(params),
      );
    },
    fetchPodMetricsByNamespaces(
      clusterDetails,
      credential,
      namespaces,
      labelSelector,
    ) {
      return withinTimeout(clusterDetails.name, () =>
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

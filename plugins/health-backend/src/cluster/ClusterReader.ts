import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterConfig } from '../config';
import {
  ClusterTokenProvider,
  DefaultClusterTokenProvider,
} from './clusterTokens';
import { KubernetesConnections } from './KubernetesConnections';
import { PodListSummarizer } from './PodListSummarizer';
import { PodWatches } from './PodWatch';
import { AbsentKinds, ClusterReading, readCluster } from './readCluster';

export type ClusterReadRequest = {
  cluster: ClusterConfig;
  /** Value of the backstage.io/kubernetes-id label; must be a valid label value. */
  kubernetesId: string;
  /** Where the component's connection secrets usually are. */
  namespace: string;
  /** For "recently started" pods. */
  now: Date;
  /** The signed-in user's Entra token, for clusters with `authProvider: aks`. */
  userAksToken?: string;
};

/**
 * The one way the health plugin reads clusters: everything one cluster tells about one
 * component, within the cluster's timeout, never throwing. Behind it: kept-alive connections
 * per identity, the pod watch, pod list threads, absent-kind memory and cluster tokens.
 */
export interface ClusterReader {
  read(request: ClusterReadRequest): Promise<ClusterReading>;
  /** Stops watches and threads and closes connections. */
  close(): Promise<void>;
}

export type KubernetesClusterReaderOptions = {
  logger: LoggerService;
  timeoutMs: number;
  tokens?: ClusterTokenProvider;
  /** Parses large pod lists off the request thread; everything in place when absent. */
  podLists?: PodListSummarizer;
  /** Keep the pods of backend-identity clusters from a watch instead of listing them per read. */
  podWatch: boolean;
  /** Clock of the absent-kind memory; tests move it. */
  now?: () => number;
};

export class KubernetesClusterReader implements ClusterReader {
  private readonly tokens: ClusterTokenProvider;
  private readonly podLists: PodListSummarizer;
  private readonly connections: KubernetesConnections;
  private readonly absentKinds: AbsentKinds;
  private readonly podWatches?: PodWatches;

  constructor(private readonly options: KubernetesClusterReaderOptions) {
    this.tokens = options.tokens ?? new DefaultClusterTokenProvider();
    this.podLists =
      options.podLists ??
      new PodListSummarizer({ workers: 0, logger: options.logger });
    this.connections = new KubernetesConnections(undefined, id =>
      this.podLists.closeConnection(id),
    );
    this.absentKinds = new AbsentKinds(options.now);
    if (options.podWatch) {
      this.podWatches = new PodWatches({
        logger: options.logger,
        getToken: cluster => this.tokens.getToken(cluster, {}),
      });
    }
  }

  read(request: ClusterReadRequest): Promise<ClusterReading> {
    const { cluster, userAksToken } = request;
    return readCluster({
      ...request,
      connections: this.connections,
      podLists: this.podLists,
      absentKinds: this.absentKinds,
      podWatches: this.podWatches,
      timeoutMs: this.options.timeoutMs,
      getToken: () => this.tokens.getToken(cluster, { userAksToken }),
    });
  }

  async close(): Promise<void> {
    this.podWatches?.close();
    this.connections.close();
    await this.podLists.close();
  }
}

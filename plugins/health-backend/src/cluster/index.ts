// Reading AKS clusters for the health plugin; docs/observability.md says why it is built this way.
export type {
  ClusterReader,
  ClusterReadRequest,
  KubernetesClusterReaderOptions,
} from './ClusterReader';
export { KubernetesClusterReader } from './ClusterReader';
export type { ClusterReading } from './readCluster';
export {
  ClusterTokenError,
  DefaultClusterTokenProvider,
} from './clusterTokens';
export type { ClusterTokenProvider, TokenRequest } from './clusterTokens';
export { PodListSummarizer } from './PodListSummarizer';

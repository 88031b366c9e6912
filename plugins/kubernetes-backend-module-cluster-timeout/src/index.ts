/**
 * A per-cluster timeout for `@backstage/plugin-kubernetes-backend`, so that the Kubernetes tab
 * names a cluster that hangs and shows the rest (`kubernetes.clusterTimeoutMs`).
 *
 * @packageDocumentation
 */
export { kubernetesModuleClusterTimeout as default } from './module';

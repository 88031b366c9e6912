export interface Config {
  kubernetes?: {
    /**
     * How long the Kubernetes tab waits for one cluster, in milliseconds, for each of its reads
     * (the objects of a component, then its pods' metrics). A cluster that takes longer is named
     * in the tab's errors and the tab shows the other clusters without it.
     * Read by `@internal/plugin-kubernetes-backend-module-cluster-timeout`.
     * @default 10000
     */
    clusterTimeoutMs?: number;
  };
}

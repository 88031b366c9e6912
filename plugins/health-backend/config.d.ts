/**
 * The health plugin reads its clusters from the Kubernetes plugin's own configuration, so a
 * platform team configures each cluster once:
 *
 * ```yaml
 * kubernetes:
 *   clusterLocatorMethods:
 *     - type: config
 *       clusters:
 *         - name: aks-dev
 *           url: https://aks-dev-dns-1234.hcp.westeurope.azmk8s.io:443
 *           authProvider: aks            # the signed-in user's Entra token
 *           caData: ${AKS_DEV_CA_DATA}
 *         - name: aks-prod
 *           url: https://aks-prod-dns-5678.hcp.westeurope.azmk8s.io:443
 *           authProvider: azure          # the backend's own identity: azure.credentials, else workload identity
 *         - name: kind-staging
 *           url: https://127.0.0.1:6443
 *           authProvider: serviceAccount
 *           serviceAccountToken: ${STAGING_TOKEN}
 * ```
 *
 * Only `type: config` locators are read; of each cluster the health plugin uses `name`, `url`,
 * `authProvider` (`serviceAccount` (the default), `azure` or `aks`), `serviceAccountToken`,
 * `caData`, `caFile` and `skipTLSVerify`. Those keys are declared by
 * `@backstage/plugin-kubernetes-backend`, not here.
 */
export interface Config {
  /** Health verdict, environments and cloud resources cards (`@internal/plugin-health-backend`). */
  health?: {
    /**
     * What the health plugin needs to know about each Kubernetes cluster beyond the Kubernetes
     * plugin's configuration, keyed by the cluster's `name`.
     */
    clusters?: {
      [clusterName: string]: {
        /**
         * The environment the cluster runs: usually `dev`, `staging` or `prod`.
         * Defaults to the part of the cluster name after its last '-' (`aks-prod` is `prod`).
         */
        environment?: string;
        /**
         * Base URL of the ArgoCD UI that manages this environment, for links to the
         * ArgoCD Application, e.g. `https://argocd.prod.contoso.com`.
         */
        argocdUrl?: string;
      };
    };

    timeouts?: {
      /**
       * How long one cluster may take to answer, in milliseconds. A cluster that takes longer is
       * named in the answer's failures and the rest is answered without it.
       * @default 5000
       */
      clusterMs?: number;
    };

    /**
     * Worker threads that fetch and parse pod lists, so that thousands of pods neither block
     * the backend's request thread nor wait for one another; only their summary comes back.
     * Connections through a proxy are fetched on the request thread, and their large lists
     * parsed on these threads. 0 does everything on the request thread.
     * @default one per CPU core, at most 4
     */
    podListWorkers?: number;

    /**
     * Keeps the labelled pods of clusters read with the backend's identity (serviceAccount,
     * azure) in memory from a watch, as informers do, so a read lists no pods. Needs list and
     * watch on pods across namespaces; without them, pods are listed on every read.
     * Clusters with authProvider aks are never watched.
     * @default true
     */
    podWatch?: boolean;

    /**
     * How long an answer is kept in Backstage's cache service, in milliseconds. An answer in
     * which no cluster could be read at all is kept 3 seconds at most.
     * @default 15000
     */
    cacheTtlMs?: number;

    /**
     * How long an answer older than cacheTtlMs is still served, in milliseconds, with its age,
     * while one fresh read of the clusters runs behind it: a hanging cluster then costs one
     * timeout per refresh, not one per waiting request.
     * @default 600000
     */
    staleTtlMs?: number;

    gitops?: {
      /**
       * Link to a commit of the GitOps repository, `{revision}` standing for the commit SHA that
       * ArgoCD synced, e.g. `https://github.com/contoso/gitops/commit/{revision}`.
       * Without it the environments card shows the revision without a link.
       */
      commitUrlTemplate?: string;
    };
  };
}

/** One environment of the platform, as the platform team configures it (`gitops.environments`). */
export type EnvironmentConfig = {
  name: string;
  /** ArgoCD destination cluster name for this environment. */
  cluster: string;
  /** Client id of the Entra workload identity the service account federates with. */
  workloadIdentityClientId?: string;
  /** Commit through a pull request instead of a direct push. */
  pullRequest?: boolean;
  /** How ArgoCD syncs: dev and staging default to `auto`, prod to `auto-no-prune`. */
  syncPolicy?: 'auto' | 'auto-no-prune' | 'manual';
};

/** What `gitops.environments` is when it is not set: the order is the promotion order. */
export const DEFAULT_ENVIRONMENTS: EnvironmentConfig[] = [
  { name: 'dev', cluster: 'aks-dev' },
  { name: 'staging', cluster: 'aks-staging' },
  { name: 'prod', cluster: 'aks-prod', syncPolicy: 'auto-no-prune' },
];

/** The subset of Backstage's Config this module reads; keeps it free of backend packages. */
export type EnvironmentsConfigReader = {
  getOptionalConfigArray(key: string):
    | Array<{
        getString(key: string): string;
        getOptionalString(key: string): string | undefined;
        getOptionalBoolean(key: string): boolean | undefined;
      }>
    | undefined;
};

/**
 * The environments in promotion order, from `gitops.environments`: the golden-path writer, the
 * health reader and the cards all order and name environments by this one list.
 */
export function readEnvironments(config: EnvironmentsConfigReader): EnvironmentConfig[] {
  const configured = config.getOptionalConfigArray('gitops.environments');
  if (!configured) return DEFAULT_ENVIRONMENTS;
  return configured.map(e => {
    const syncPolicy = e.getOptionalString('syncPolicy');
    if (
      syncPolicy !== undefined &&
      !['auto', 'auto-no-prune', 'manual'].includes(syncPolicy)
    ) {
      throw new Error(
        `gitops.environments[].syncPolicy must be auto, auto-no-prune or manual, not "${syncPolicy}"`,
      );
    }
    return {
      name: e.getString('name'),
      cluster: e.getString('cluster'),
      workloadIdentityClientId: e.getOptionalString('workloadIdentityClientId'),
      pullRequest: e.getOptionalBoolean('pullRequest'),
      syncPolicy: syncPolicy as EnvironmentConfig['syncPolicy'],
    };
  });
}

/**
 * Sort rank of an environment in `order`: configured environments in their order, then any
 * other (an ephemeral preview, a cluster's own name) after them.
 */
export function environmentRank(order: readonly string[], environment: string): number {
  const index = order.indexOf(environment);
  return index >= 0 ? index : order.length;
}

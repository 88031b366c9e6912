import { availableParallelism } from 'node:os';
import { RootConfigService } from '@backstage/backend-plugin-api';
import { readEnvironments } from '@internal/plugin-platform-common';
import { readAzureSettings } from '@internal/plugin-platform-node';
import { z } from 'zod';

export type ClusterConfig = {
  name: string;
  url: string;
  /** `serviceAccount`, `azure` or `aks`; anything else is reported as a failure of that cluster. */
  authProvider: string;
  serviceAccountToken?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
  environment: string;
  argocdUrl?: string;
};

export type HealthConfig = {
  clusters: ClusterConfig[];
  clusterTimeoutMs: number;
  cacheTtlMs: number;
  /**
   * How long an answer older than cacheTtlMs is still served, with its age, while one fresh
   * read runs behind it (stale-while-revalidate).
   */
  staleTtlMs: number;
  /** Environment names in promotion order, from gitops.environments: rows and reasons sort by it. */
  environments: string[];
  /** Worker threads that parse large pod lists; 0 parses them on the request thread. */
  podListWorkers: number;
  /** Keep the pods of backend-identity clusters from a watch instead of listing them per read. */
  podWatch: boolean;
  commitUrlTemplate?: string;
};

export const DEFAULT_CLUSTER_TIMEOUT_MS = 5000;
export const DEFAULT_CACHE_TTL_MS = 15000;
const DEFAULT_STALE_TTL_MS = 10 * 60_000;
/** One thread per core, up to 4: lists from several clusters are parsed side by side. */
export const DEFAULT_POD_LIST_WORKERS = Math.min(4, availableParallelism());

const clusterExtensionSchema = z.object({
  environment: z.string().min(1).optional(),
  argocdUrl: z.string().url().optional(),
});

// Read as one raw object: cluster names such as `aks-westeu-01` are not valid config path keys.
const clusterExtensionsSchema = z.record(z.string(), clusterExtensionSchema);

/** `aks-prod` runs `prod`; a name without '-' is its own environment. */
export function defaultEnvironment(clusterName: string): string {
  const dash = clusterName.lastIndexOf('-');
  return dash >= 0 && dash < clusterName.length - 1
    ? clusterName.slice(dash + 1)
    : clusterName;
}

function positiveNumber(
  config: RootConfigService,
  key: string,
  fallback: number,
): number {
  const value = config.getOptionalNumber(key);
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${key} must be a positive number of milliseconds`);
  }
  return value;
}

export function readHealthConfig(config: RootConfigService): HealthConfig {
  const extensionsResult = clusterExtensionsSchema.safeParse(
    config.getOptional('health.clusters') ?? {},
  );
  if (!extensionsResult.success) {
    const issue = extensionsResult.error.issues[0];
    throw new Error(
      `Invalid health.clusters configuration at ${issue.path.join('.')}: ${
        issue.message
      }`,
    );
  }
  const extensions = extensionsResult.data;
  const environments = readEnvironments(config);
  // The golden paths deploy environment <name> to cluster <cluster>: the same mapping here.
  const environmentOfCluster = new Map(environments.map(e => [e.cluster, e.name]));

  const clusters: ClusterConfig[] = [];
  const seen = new Set<string>();
  for (const locator of config.getOptionalConfigArray(
    'kubernetes.clusterLocatorMethods',
  ) ?? []) {
    // Catalog, GKE and kubectl-proxy locators find clusters at runtime; not supported here.
    if (locator.getString('type') !== 'config') continue;
    for (const cluster of locator.getOptionalConfigArray('clusters') ?? []) {
      const name = cluster.getString('name');
      if (seen.has(name)) {
        throw new Error(
          `Kubernetes cluster ${name} is configured twice in kubernetes.clusterLocatorMethods; the health plugin needs unique cluster names`,
        );
      }
      seen.add(name);
      const extension = extensions[name] ?? {};
      clusters.push({
        name,
        url: cluster.getString('url'),
        authProvider:
          cluster.getOptionalString('authProvider') ?? 'serviceAccount',
        serviceAccountToken: cluster.getOptionalString('serviceAccountToken'),
        caData: cluster.getOptionalString('caData'),
        caFile: cluster.getOptionalString('caFile'),
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
        environment:
          extension.environment ??
          environmentOfCluster.get(name) ??
          defaultEnvironment(name),
        argocdUrl: extension.argocdUrl?.replace(/\/+$/, ''),
      });
    }
  }

  // Fails early, naming azure.credentials, when the old health.azure block is still set.
  readAzureSettings(config);
  return {
    clusters,
    clusterTimeoutMs: positiveNumber(
      config,
      'health.timeouts.clusterMs',
      DEFAULT_CLUSTER_TIMEOUT_MS,
    ),
    cacheTtlMs: positiveNumber(
      config,
      'health.cacheTtlMs',
      DEFAULT_CACHE_TTL_MS,
    ),
    staleTtlMs: positiveNumber(
      config,
      'health.staleTtlMs',
      DEFAULT_STALE_TTL_MS,
    ),
    environments: environments.map(e => e.name),
    podListWorkers: podListWorkers(config),
    podWatch: config.getOptionalBoolean('health.podWatch') ?? true,
    commitUrlTemplate: config.getOptionalString(
      'health.gitops.commitUrlTemplate',
    ),
  };
}

function podListWorkers(config: RootConfigService): number {
  const value = config.getOptionalNumber('health.podListWorkers');
  if (value === undefined) return DEFAULT_POD_LIST_WORKERS;
  if (!Number.isInteger(value) || value < 0 || value > 16) {
    throw new Error(
      `health.podListWorkers must be a whole number from 0 to 16, got ${value}`,
    );
  }
  return value;
}

/** Cluster names in health.clusters that no Kubernetes cluster has: usually a typo. */
export function unknownClusterExtensions(
  config: RootConfigService,
  clusters: ClusterConfig[],
): string[] {
  const raw = config.getOptional('health.clusters');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [];
  const names = new Set(clusters.map(c => c.name));
  return Object.keys(raw).filter(name => !names.has(name));
}

import { AlertsSource } from './azureAlerts';
import { createHash } from 'node:crypto';
import {
  CacheService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  argoSummary,
  alertsVerdict,
  combineVerdicts,
  computeEnvironmentVerdict,
  crossplaneSummary,
  crossplaneVerdict,
  Reason,
  SourceFailure,
  summarizePods,
  Verdict,
  NotConfigured,
  verdictFromReasons,
} from '@internal/plugin-health-common';
import { TokenCredential } from '@azure/identity';
import {
  ClusterConfig,
  HealthConfig,
  readHealthConfig,
  unknownClusterExtensions,
} from '../config';
import {
  EntityHealth,
  EnvironmentApplication,
  EnvironmentRow,
  ResourceRow,
} from '../types';
import {
  ClusterTokenProvider,
  DefaultClusterTokenProvider,
} from './clusterTokens';
import {
  AbsentKinds,
  ClusterReading,
  KUBERNETES_ID_LABEL,
  readCluster,
} from './readCluster';
import { PodListSummarizer } from './PodListSummarizer';
import { KubernetesConnections } from './KubernetesConnections';
import { PodWatches } from './PodWatch';

type CachedValue = Parameters<CacheService['set']>[1];

export const KUBERNETES_ID_ANNOTATION = KUBERNETES_ID_LABEL;
/** Backstage's Kubernetes plugin reads the same annotation to narrow its queries. */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';
export const ENVIRONMENT_LABEL = 'idp-portal/environment';

/** An answer in which no cluster could be read is retried soon, whatever the TTL. */
export const ALL_FAILED_CACHE_TTL_MS = 3000;

const CLUSTERS_NOT_CONFIGURED: NotConfigured = {
  message: 'This portal has no AKS clusters configured, so it cannot show pods, ArgoCD or Crossplane status yet.',
  settings: ['kubernetes.clusterLocatorMethods'],
  docs: 'docs/observability.md',
};

const ENVIRONMENT_ORDER = ['dev', 'staging', 'prod'];

// Label values: at most 63 characters, alphanumeric at both ends. Anything else could
// change the meaning of the label selector.
const LABEL_VALUE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

export type GetEntityHealthOptions = {
  /** The signed-in user's Entra token, for clusters with `authProvider: aks`. */
  userAksToken?: string;
};

export type HealthServiceOptions = {
  config: HealthConfig;
  logger: LoggerService;
  cache: CacheService;
  tokens?: ClusterTokenProvider;
  /** Firing alerts, read alongside the clusters; they count in the verdict. */
  alerts?: AlertsSource;
  /** Fetches and parses pod lists off the request thread; everything in place when absent. */
  podLists?: PodListSummarizer;
  now?: () => Date;
};

/**
 * One health answer per entity: reads every configured cluster in parallel, each within its
 * own timeout, and turns what came back into rows and verdicts with the shared functions of
 * @internal/plugin-health-common. Callers must have checked that the user may read the entity.
 */
export class HealthService {
  private readonly config: HealthConfig;
  private readonly logger: LoggerService;
  private readonly cache: CacheService;
  private readonly tokens: ClusterTokenProvider;
  private readonly now: () => Date;
  private readonly inFlight = new Map<string, Promise<EntityHealth>>();
  private readonly alerts?: AlertsSource;
  private readonly podLists: PodListSummarizer;
  private readonly connections: KubernetesConnections;
  private readonly absentKinds: AbsentKinds;
  private readonly podWatches?: PodWatches;

  static fromConfig(
    rootConfig: RootConfigService,
    options: {
      logger: LoggerService;
      cache: CacheService;
      azureCredential?: TokenCredential;
      alerts?: AlertsSource;
    },
  ): HealthService {
    const config = readHealthConfig(rootConfig);
    const unknown = unknownClusterExtensions(rootConfig, config.clusters);
    if (unknown.length > 0) {
      options.logger.warn(
        'health.clusters names clusters that kubernetes.clusterLocatorMethods does not configure',
        { clusters: unknown.join(',') },
      );
    }
    options.logger.info('Health plugin reads Kubernetes clusters', {
      clusters: config.clusters
        .map(c => `${c.name}=${c.environment}/${c.authProvider}`)
        .join(','),
      clusterTimeoutMs: config.clusterTimeoutMs,
      cacheTtlMs: config.cacheTtlMs,
      podListWorkers: config.podListWorkers,
      podWatch: config.podWatch,
    });
    return new HealthService({
      config,
      logger: options.logger,
      cache: options.cache,
      tokens: new DefaultClusterTokenProvider({
        azureCredential: options.azureCredential,
        azureServicePrincipal: config.azure,
      }),
      alerts: options.alerts,
      podLists: new PodListSummarizer({
        workers: config.podListWorkers,
        logger: options.logger,
      }),
    });
  }

  constructor(options: HealthServiceOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.cache = options.cache;
    this.tokens = options.tokens ?? new DefaultClusterTokenProvider();
    this.now = options.now ?? (() => new Date());
    this.alerts = options.alerts;
    this.podLists =
      options.podLists ??
      new PodListSummarizer({ workers: 0, logger: options.logger });
    this.connections = new KubernetesConnections(undefined, id =>
      this.podLists.closeConnection(id),
    );
    this.absentKinds = new AbsentKinds(() => this.now().getTime());
    if (this.config.podWatch) {
      this.podWatches = new PodWatches({
        logger: this.logger,
        getToken: cluster => this.tokens.getToken(cluster, {}),
      });
    }
  }

  /** Stops the pod list threads and closes the kept-alive connections. */
  async close(): Promise<void> {
    this.podWatches?.close();
    this.connections.close();
    await this.podLists.close();
  }

  async getEntityHealth(
    entity: Entity,
    options: GetEntityHealthOptions = {},
  ): Promise<EntityHealth> {
    const { entityRef, kubernetesId, namespace } = healthTarget(entity);
    const key = this.cacheKey(
      entityRef,
      kubernetesId,
      namespace,
      options.userAksToken,
    );

    // The three cards ask at once: one read of the clusters serves all of them.
    const running = this.inFlight.get(key);
    if (running) return running;
    const cached = await this.cache.get<EntityHealth>(key).catch(error => {
      this.logger.warn('Health cache could not be read', { error: `${error}` });
      return undefined;
    });
    if (cached) return cached;
    // Another call may have started reading while this one asked the cache.
    const racing = this.inFlight.get(key);
    if (racing) return racing;

    const computing = this.compute(entityRef, kubernetesId, namespace, options)
      .then(async ({ health, cacheTtlMs }) => {
        // A cache that is down makes every call slower, not wrong.
        await this.cache
          .set(key, health as unknown as CachedValue, { ttl: cacheTtlMs })
          .catch(error =>
            this.logger.warn('Health cache could not be written', {
              error: `${error}`,
            }),
          );
        return health;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, computing);
    return computing;
  }

  /**
   * Answers read with a user's Entra token are cached for that token only: AKS RBAC may let
   * one user see what another may not.
   */
  private cacheKey(
    entityRef: string,
    kubernetesId: string,
    namespace: string,
    userAksToken: string | undefined,
  ): string {
    const usesUserToken =
      userAksToken !== undefined &&
      this.config.clusters.some(c => c.authProvider === 'aks');
    const scope = usesUserToken
      ? `aks:${createHash('sha256')
          .update(userAksToken)
          .digest('hex')
          .slice(0, 32)}`
      : 'backend';
    return `entity-health:v2:${entityRef}:${kubernetesId}:${namespace}:${scope}`;
  }

  private async compute(
    entityRef: string,
    kubernetesId: string,
    namespace: string,
    options: GetEntityHealthOptions,
  ): Promise<{ health: EntityHealth; cacheTtlMs: number }> {
    const globalFailures: SourceFailure[] = [];
    let notConfigured: NotConfigured | undefined;
    const now = this.now();
    let readings: ClusterReading[] = [];
    const alertsReading = this.alerts?.(
      entityRef,
      this.config.clusterTimeoutMs,
    );
    if (!LABEL_VALUE.test(kubernetesId)) {
      globalFailures.push({
        source: `${KUBERNETES_ID_ANNOTATION} annotation`,
        message: `The ${KUBERNETES_ID_ANNOTATION} annotation of ${entityRef} is not a valid Kubernetes label value ("${kubernetesId.slice(
          0,
          80,
        )}") — fix it in catalog-info.yaml`,
      });
    } else if (this.config.clusters.length === 0) {
      // Nothing failed: nothing was asked. The cards say what to set up instead.
      notConfigured = CLUSTERS_NOT_CONFIGURED;
    } else {
      readings = await Promise.all(
        this.config.clusters.map(cluster =>
          readCluster({
            cluster,
            kubernetesId,
            namespace,
            now,
            connections: this.connections,
            podLists: this.podLists,
            absentKinds: this.absentKinds,
            podWatches: this.podWatches,
            timeoutMs: this.config.clusterTimeoutMs,
            getToken: () => this.tokens.getToken(cluster, options),
          }),
        ),
      );
    }

    const alerts = await alertsReading;
    if (alerts?.failure) globalFailures.push(alerts.failure);
    const environments = readings
      .map(reading => this.environmentRow(reading, kubernetesId, now))
      .sort(compareRows);
    const resources = readings
      .flatMap(reading => resourceRows(reading))
      .sort(compareRows);
    const failures = [...globalFailures, ...readings.flatMap(r => r.failures)];
    for (const failure of failures) {
      this.logger.warn('Health source could not be read', {
        entityRef,
        source: failure.source,
        reason: failure.message,
      });
    }

    const duplicatedEnvironments = new Set(
      environments
        .map(r => r.environment)
        .filter((env, i, all) => all.indexOf(env) !== i),
    );
    const verdict = notConfigured
      ? verdictFromReasons([{ state: 'Unknown', source: 'health', message: notConfigured.message }])
      : combineVerdicts(
      [
        ...environments.map(row =>
          labelReasons(
            row.verdict,
            duplicatedEnvironments.has(row.environment)
              ? `${row.environment} (${row.cluster})`
              : row.environment,
          ),
        ),
        ...(alerts && (alerts.alerts.length > 0 || !alerts.failure)
          ? [alertsVerdict(alerts.alerts)]
          : []),
      ],
      globalFailures,
    );

    const allFailed = readings.every(r => !r.succeeded);
    return {
      health: {
        entityRef,
        verdict,
        environments,
        resources,
        failures,
        generatedAt: now.toISOString(),
        ...(notConfigured ? { notConfigured } : {}),
      },
      cacheTtlMs: allFailed && !notConfigured
        ? Math.min(this.config.cacheTtlMs, ALL_FAILED_CACHE_TTL_MS)
        : this.config.cacheTtlMs,
    };
  }

  private environmentRow(
    reading: ClusterReading,
    kubernetesId: string,
    now: Date,
  ): EnvironmentRow {
    const { cluster } = reading;
    const pods = reading.podSummary ?? summarizePods([], now);
    const applications =
      reading.applications &&
      applicationsOf(reading.applications, kubernetesId, cluster.environment);
    const primary =
      applications?.find(
        app => nameOf(app) === `${kubernetesId}-${cluster.environment}`,
      ) ?? applications?.[0];

    const row: EnvironmentRow = {
      environment: cluster.environment,
      cluster: cluster.name,
      imageTags: [...new Set(pods.images.map(imageTag))].sort(),
      images: pods.images,
      pods: { ready: pods.ready, total: pods.total, restarts: pods.restarts },
      verdict: computeEnvironmentVerdict({
        podSummary: reading.podSummary,
        argoApplications: applications,
        crossplaneResources: reading.crossplane,
        failures: reading.failures,
        now,
      }),
      failures: reading.failures,
    };
    if (primary) row.application = this.application(primary, cluster);
    return row;
  }

  private application(
    app: unknown,
    cluster: ClusterConfig,
  ): EnvironmentApplication {
    const summary: EnvironmentApplication = argoSummary(app);
    const namespace = namespaceOf(app) ?? 'argocd';
    if (cluster.argocdUrl && summary.name) {
      summary.url = `${cluster.argocdUrl}/applications/${encodeURIComponent(
        namespace,
      )}/${encodeURIComponent(summary.name)}`;
    }
    if (this.config.commitUrlTemplate && summary.revision) {
      summary.commitUrl = this.config.commitUrlTemplate
        .split('{revision}')
        .join(encodeURIComponent(summary.revision));
    }
    return summary;
  }
}

/**
 * What a health answer is read for. Two versions of an entity with the same target get the
 * same answer.
 */
export function healthTarget(entity: Entity): {
  entityRef: string;
  kubernetesId: string;
  namespace: string;
} {
  const kubernetesId =
    entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ??
    entity.metadata.name;
  return {
    entityRef: stringifyEntityRef(entity),
    kubernetesId,
    namespace:
      entity.metadata.annotations?.[KUBERNETES_NAMESPACE_ANNOTATION] ??
      kubernetesId,
  };
}

/**
 * The ArgoCD Applications of this environment. A hub ArgoCD also holds the Applications of
 * other environments: those carry another idp-portal/environment label or name suffix.
 */
function applicationsOf(
  apps: unknown[],
  kubernetesId: string,
  environment: string,
): unknown[] {
  const matching = apps.filter(app => {
    const env = labelOf(app, ENVIRONMENT_LABEL);
    return env
      ? env === environment
      : nameOf(app) === `${kubernetesId}-${environment}` ||
          !ENVIRONMENT_ORDER.some(
            other => nameOf(app) === `${kubernetesId}-${other}`,
          );
  });
  return matching;
}

function resourceRows(reading: ClusterReading): ResourceRow[] {
  return (reading.crossplane ?? []).map(({ resource, secretExists }) => ({
    ...crossplaneSummary(resource, secretExists),
    environment: reading.cluster.environment,
    cluster: reading.cluster.name,
    ...(namespaceOf(resource) ? { namespace: namespaceOf(resource) } : {}),
    verdict: crossplaneVerdict(resource, secretExists),
  }));
}

/** `repo/app:1.4.2` → `1.4.2`; `repo/app@sha256:abc...` → `sha256:abc...`; no tag → `latest`. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > lastSlash ? image.slice(colon + 1) : 'latest';
}

/** Names the environment in each reason, so the overall verdict says where things are wrong. */
function labelReasons(verdict: Verdict, environment: string): Verdict {
  const failed = new Set(verdict.failedSources ?? []);
  return {
    ...verdict,
    reasons: verdict.reasons.map(
      (reason): Reason =>
        failed.has(reason.source)
          ? reason
          : { ...reason, source: `${environment}: ${reason.source}` },
    ),
  };
}

function environmentRank(environment: string): number {
  const index = ENVIRONMENT_ORDER.indexOf(environment);
  return index >= 0 ? index : ENVIRONMENT_ORDER.length;
}

function compareRows(
  a: { environment: string; cluster: string; kind?: string; name?: string },
  b: { environment: string; cluster: string; kind?: string; name?: string },
): number {
  return (
    environmentRank(a.environment) - environmentRank(b.environment) ||
    a.environment.localeCompare(b.environment) ||
    a.cluster.localeCompare(b.cluster) ||
    (a.kind ?? '').localeCompare(b.kind ?? '') ||
    (a.name ?? '').localeCompare(b.name ?? '')
  );
}

function metadataOf(object: unknown): Record<string, unknown> | undefined {
  const metadata = (object as { metadata?: unknown } | null)?.metadata;
  return typeof metadata === 'object' && metadata !== null
    ? (metadata as Record<string, unknown>)
    : undefined;
}

function nameOf(object: unknown): string | undefined {
  const name = metadataOf(object)?.name;
  return typeof name === 'string' ? name : undefined;
}

function namespaceOf(object: unknown): string | undefined {
  const namespace = metadataOf(object)?.namespace;
  return typeof namespace === 'string' && namespace ? namespace : undefined;
}

function labelOf(object: unknown, label: string): string | undefined {
  const labels = metadataOf(object)?.labels;
  const value =
    typeof labels === 'object' && labels !== null
      ? (labels as Record<string, unknown>)[label]
      : undefined;
  return typeof value === 'string' && value ? value : undefined;
}

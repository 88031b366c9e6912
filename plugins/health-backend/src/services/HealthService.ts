import {
  CacheService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { TokenCredential } from '@azure/identity';
import { azureCredentialFromConfig } from '@internal/plugin-platform-node';
import {
  alertsVerdict,
  applicationsOfEnvironment,
  argoSummary,
  combineVerdicts,
  compareByEnvironment,
  computeEnvironmentVerdict,
  crossplaneSummary,
  crossplaneVerdict,
  EntityHealth,
  EnvironmentApplication,
  EnvironmentRow,
  imageTag,
  labelReasons,
  NotConfigured,
  primaryApplication,
  ResourceRow,
  SourceFailure,
  summarizePods,
  verdictFromReasons,
} from '@internal/plugin-health-common';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@internal/plugin-platform-common';
import { createHash } from 'node:crypto';
import {
  ClusterReader,
  ClusterReading,
  ClusterTokenProvider,
  DefaultClusterTokenProvider,
  KubernetesClusterReader,
  PodListSummarizer,
} from '../cluster';
import {
  ClusterConfig,
  HealthConfig,
  readHealthConfig,
  unknownClusterExtensions,
} from '../config';
import { AlertsSource } from './azureAlerts';

type CachedValue = Parameters<CacheService['set']>[1];

/** What the cache keeps: the answer and until when it is fresh; stale after, until its TTL. */
type CacheEntry = {
  health: EntityHealth;
  freshUntil: number;
  /** No cluster could be read: nothing in it is worth serving stale. */
  allFailed?: boolean;
};

/** An answer in which no cluster could be read is retried soon, whatever the TTL. */
const ALL_FAILED_CACHE_TTL_MS = 3000;

const CLUSTERS_NOT_CONFIGURED: NotConfigured = {
  message: 'This portal has no AKS clusters configured, so it cannot show pods, ArgoCD or Crossplane status yet.',
  settings: ['kubernetes.clusterLocatorMethods'],
  docs: 'docs/observability.md',
};

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
  /** Reads the clusters; by default the Kubernetes reader with `tokens` and `podLists`. */
  clusters?: ClusterReader;
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
  private readonly now: () => Date;
  /** One read of the clusters per key at a time: waiting callers share it. */
  private readonly inFlight = new Map<string, Promise<EntityHealth>>();
  private readonly alerts?: AlertsSource;
  private readonly clusters: ClusterReader;

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
        // The one Azure identity of the backend, shared with Azure Monitor.
        createAzureCredential: () => azureCredentialFromConfig(rootConfig),
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
    this.now = options.now ?? (() => new Date());
    this.alerts = options.alerts;
    this.clusters =
      options.clusters ??
      new KubernetesClusterReader({
        logger: this.logger,
        timeoutMs: this.config.clusterTimeoutMs,
        tokens: options.tokens ?? new DefaultClusterTokenProvider(),
        podLists: options.podLists,
        podWatch: this.config.podWatch,
        now: () => this.now().getTime(),
      });
  }

  /** Stops the pod list threads and closes the kept-alive connections. */
  async close(): Promise<void> {
    await this.clusters.close();
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

    const cached = await this.cache.get<CacheEntry>(key).catch(error => {
      this.logger.warn('Health cache could not be read', { error: `${error}` });
      return undefined;
    });
    if (cached && this.now().getTime() < cached.freshUntil) return cached.health;
    // The cards ask at once, and many users may: one read of the clusters serves them all.
    const reading =
      this.inFlight.get(key) ?? this.refresh(key, entity, options);
    if (!cached || cached.allFailed) return reading;
    // Stale: answered at once with its age, while the one refresh runs behind it. A hanging
    // cluster then costs one timeout per refresh, not one per waiting request.
    reading.catch(() => {});
    return { ...cached.health, stale: true };
  }

  private refresh(
    key: string,
    entity: Entity,
    options: GetEntityHealthOptions,
  ): Promise<EntityHealth> {
    const computing = this.compute(entity, options)
      .then(async ({ health, cacheTtlMs, allFailed }) => {
        const entry: CacheEntry = {
          health,
          freshUntil: this.now().getTime() + cacheTtlMs,
          ...(allFailed ? { allFailed } : {}),
        };
        // A cache that is down makes every call slower, not wrong.
        await this.cache
          .set(key, entry as unknown as CachedValue, {
            ttl: cacheTtlMs + this.config.staleTtlMs,
          })
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
    return `entity-health:v3:${entityRef}:${kubernetesId}:${namespace}:${scope}`;
  }

  private async compute(
    entity: Entity,
    options: GetEntityHealthOptions,
  ): Promise<{ health: EntityHealth; cacheTtlMs: number; allFailed: boolean }> {
    const { entityRef, kubernetesId, namespace } = healthTarget(entity);
    const globalFailures: SourceFailure[] = [];
    let notConfigured: NotConfigured | undefined;
    const now = this.now();
    let readings: ClusterReading[] = [];
    const alertsReading = this.alerts?.(entity, this.config.clusterTimeoutMs);
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
          this.clusters.read({
            cluster,
            kubernetesId,
            namespace,
            now,
            userAksToken: options.userAksToken,
          }),
        ),
      );
    }

    const alerts = await alertsReading;
    if (alerts?.failure) globalFailures.push(alerts.failure);
    const byEnvironment = compareByEnvironment(this.config.environments);
    const environments = readings
      .map(reading => this.environmentRow(reading, kubernetesId, now))
      .sort(byEnvironment);
    const resources = readings
      .flatMap(reading => resourceRows(reading))
      .sort(byEnvironment);
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

    const allFailed = readings.length > 0 && readings.every(r => !r.succeeded);
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
      cacheTtlMs: allFailed
        ? Math.min(this.config.cacheTtlMs, ALL_FAILED_CACHE_TTL_MS)
        : this.config.cacheTtlMs,
      allFailed,
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
      applicationsOfEnvironment(
        reading.applications,
        kubernetesId,
        cluster.environment,
        this.config.environments,
      );
    const primary =
      applications &&
      primaryApplication(applications, kubernetesId, cluster.environment);

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

function resourceRows(reading: ClusterReading): ResourceRow[] {
  return (reading.crossplane ?? []).map(({ resource, secretExists }) => ({
    ...crossplaneSummary(resource, secretExists),
    environment: reading.cluster.environment,
    cluster: reading.cluster.name,
    ...(namespaceOf(resource) ? { namespace: namespaceOf(resource) } : {}),
    verdict: crossplaneVerdict(resource, secretExists),
  }));
}

function metadataOf(object: unknown): Record<string, unknown> | undefined {
  const metadata = (object as { metadata?: unknown } | null)?.metadata;
  return typeof metadata === 'object' && metadata !== null
    ? (metadata as Record<string, unknown>)
    : undefined;
}

function namespaceOf(object: unknown): string | undefined {
  const namespace = metadataOf(object)?.namespace;
  return typeof namespace === 'string' && namespace ? namespace : undefined;
}

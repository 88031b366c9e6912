import { createHash } from 'node:crypto';
import { MonitorClient } from '@azure/arm-monitor';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  HttpClient,
  Pipeline,
  RestError,
  TlsSettings,
} from '@azure/core-rest-pipeline';
import {
  CacheService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ALERT_SEVERITIES,
  alertFromArm,
  AlertsResponse,
  AnnotationError,
  ArmAlert,
  AZURE_MONITOR_ANNOTATIONS,
  AzureAlert,
  AzureProblem,
  AzureResource,
  MetricSeries,
  MetricsRange,
  MetricsResponse,
  NotConfiguredResponse,
  parseResourceId,
  readResourceSelectors,
  ResourceSelectors,
  ResourcesResponse,
} from '@internal/plugin-azure-monitor-common';
import { AzureMonitorConfig, readAzureMonitorConfig } from '../config';
import { azureCredentialFromConfig } from '@internal/plugin-platform-node';
import { describeAzureFailure } from './faults';
import { metricsFor, rangeWindow } from './metricCatalog';

/** How long the last good answer is kept to show while Azure throttles or refuses the credentials. */
const LAST_GOOD_TTL_MS = 24 * 3_600_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** Metrics are one ARM call per resource; a tag matching hundreds of resources must not cost hundreds. */
const MAX_METRIC_RESOURCES = 20;
const MAX_ALERT_PAGES = 5;
// Alerts_GetAll, stable. Without timeRange the service looks back one day only, hiding
// alerts that have been firing for longer.
const ALERTS_API_VERSION = '2019-03-01';
const ALERTS_TIME_RANGE = '30d';

type Cached<T> = { data: T; generatedAt: string };
type Answer<T> = {
  data: T;
  generatedAt: string;
  stale: boolean;
  problem?: AzureProblem;
};

export type AzureMonitorServiceOptions = {
  config: AzureMonitorConfig;
  credential: TokenCredential;
  logger: LoggerService;
  cache: CacheService;
  now?: () => Date;
};

/**
 * Reads a component's Azure resources, metrics and alerts with the backend's own Azure
 * identity, and keeps the last good answer to show while Azure cannot be read.
 */
export class AzureMonitorService {
  private readonly config: AzureMonitorConfig;
  private readonly credential: TokenCredential;
  private readonly logger: LoggerService;
  private readonly cache: CacheService;
  private readonly now: () => Date;
  private readonly resourceClients = new Map<
    string,
    ResourceManagementClient
  >();
  private readonly monitorClient: MonitorClient;
  private readonly alertsPipeline: Pipeline;
  private readonly httpClient: HttpClient;

  static fromConfig(
    rootConfig: RootConfigService,
    deps: { logger: LoggerService; cache: CacheService },
  ): AzureMonitorService {
    const config = readAzureMonitorConfig(rootConfig);
    return new AzureMonitorService({
      config,
      credential: azureCredentialFromConfig(rootConfig),
      ...deps,
    });
  }

  constructor(options: AzureMonitorServiceOptions) {
    this.config = options.config;
    this.credential = options.credential;
    this.logger = options.logger;
    this.cache = options.cache;
    this.now = options.now ?? (() => new Date());
    this.monitorClient = new MonitorClient(
      this.credential,
      this.clientOptions(),
    );
    this.alertsPipeline = createPipelineFromOptions({
      retryOptions: this.clientOptions().retryOptions,
      tlsOptions: this.tlsOptions(),
    });
    this.alertsPipeline.addPolicy(
      bearerTokenAuthenticationPolicy({
        credential: this.credential,
        scopes: this.scopes(),
      }),
    );
    this.httpClient = createDefaultHttpClient();
  }

  async getResources(entity: Entity): Promise<ResourcesResponse> {
    return this.answer(entity, 'resources', '', async selectors => {
      return this.resolve(selectors);
    }).then(r =>
      r.configured
        ? { ...r.envelope, resources: r.answer.data }
        : r.notConfigured,
    );
  }

  async getMetrics(
    entity: Entity,
    range: MetricsRange,
  ): Promise<MetricsResponse> {
    return this.answer(entity, 'metrics', range, async selectors => {
      const resources = await this.resolveCached(entity, selectors);
      return this.readMetrics(resources, range);
    }).then(r =>
      r.configured
        ? { ...r.envelope, range, series: r.answer.data }
        : r.notConfigured,
    );
  }

  async getAlerts(entity: Entity): Promise<AlertsResponse> {
    return this.answer(entity, 'alerts', '', async selectors => {
      const resources = await this.resolveCached(entity, selectors);
      return this.readAlerts(resources);
    }).then(r =>
      r.configured ? { ...r.envelope, alerts: r.answer.data } : r.notConfigured,
    );
  }

  /**
   * The fresh cached answer, else Azure's, else, when Azure fails in a way the user should
   * hear about, the last good answer marked stale.
   */
  private async answer<T>(
    entity: Entity,
    what: string,
    variant: string,
    read: (selectors: ResourceSelectors) => Promise<T[]>,
  ): Promise<
    | {
        configured: true;
        answer: Answer<T[]>;
        envelope: {
          entityRef: string;
          configured: true;
          generatedAt: string;
          stale: boolean;
          problem?: AzureProblem;
        };
      }
    | { configured: false; notConfigured: NotConfiguredResponse }
  > {
    const entityRef = stringifyEntityRef(entity);
    const notConfigured = (
      missing: NotConfiguredResponse['missing'],
      settings?: string[],
    ) => ({
      configured: false as const,
      notConfigured: {
        entityRef,
        configured: false as const,
        missing,
        annotations: AZURE_MONITOR_ANNOTATIONS,
        ...(settings ? { settings } : {}),
      },
    });
    // The portal's own setup comes first: no entity annotation can make up for it.
    if (!this.config.enabled) {
      return notConfigured('portal', ['azureMonitor.subscriptionIds', 'azure.credentials']);
    }
    const selectors = selectorsOf(entity);
    if (!selectors) return notConfigured('annotation');
    if (selectors.tag && this.config.subscriptionIds.length === 0) {
      // A tag is looked for in the configured subscriptions; with none there is nowhere to look.
      return notConfigured('portal', ['azureMonitor.subscriptionIds']);
    }
    const answer = await this.cached(
      this.cacheKey(what, entityRef, selectors, variant),
      () => read(selectors),
      [] as T[],
      { entityRef, what },
    );
    return {
      configured: true,
      answer,
      envelope: {
        entityRef,
        configured: true,
        generatedAt: answer.generatedAt,
        stale: answer.stale,
        ...(answer.problem ? { problem: answer.problem } : {}),
      },
    };
  }

  private async cached<T>(
    key: string,
    read: () => Promise<T>,
    empty: T,
    context: { entityRef: string; what: string },
  ): Promise<Answer<T>> {
    const fresh = (await this.cache.get(`fresh:${key}`)) as
      | Cached<T>
      | undefined;
    if (fresh) return { ...fresh, stale: false };
    try {
      const data = await read();
      const entry: Cached<T> = { data, generatedAt: this.now().toISOString() };
      await Promise.all([
        this.cache.set(`fresh:${key}`, entry as any, {
          ttl: this.config.cacheTtlMs,
        }),
        this.cache.set(`last:${key}`, entry as any, { ttl: LAST_GOOD_TTL_MS }),
      ]);
      return { ...entry, stale: false };
    } catch (error) {
      const problem = describeAzureFailure(error);
      if (!problem) throw error;
      this.logger.warn(`Could not read Azure ${context.what}`, {
        entityRef: context.entityRef,
        status: problem.status,
        error: error instanceof Error ? error.message : String(error),
      });
      const last = (await this.cache.get(`last:${key}`)) as
        | Cached<T>
        | undefined;
      if (last) return { ...last, stale: true, problem };
      return {
        data: empty,
        generatedAt: this.now().toISOString(),
        stale: false,
        problem,
      };
    }
  }

  /** Metrics and alerts both need the resources; they share the resolution's cache. */
  private async resolveCached(
    entity: Entity,
    selectors: ResourceSelectors,
  ): Promise<AzureResource[]> {
    const key = `fresh:${this.cacheKey(
      'resources',
      stringifyEntityRef(entity),
      selectors,
      '',
    )}`;
    const hit = (await this.cache.get(key)) as
      | Cached<AzureResource[]>
      | undefined;
    return hit ? hit.data : this.resolve(selectors);
  }

  private cacheKey(
    what: string,
    entityRef: string,
    selectors: ResourceSelectors,
    variant: string,
  ): string {
    const digest = createHash('sha256')
      .update(JSON.stringify(selectors))
      .digest('hex')
      .slice(0, 16);
    return `azure-monitor:v1:${what}:${entityRef}:${digest}:${variant}`;
  }

  private async resolve(
    selectors: ResourceSelectors,
  ): Promise<AzureResource[]> {
    const found = new Map<string, AzureResource>();
    const add = (resource: AzureResource) => {
      const key = resource.id.toLowerCase();
      if (!found.has(key)) found.set(key, resource);
    };

    // A full id names the resource already; looking it up would need the api-version of
    // every resource type, and Azure Monitor reports an id that does not exist anyway.
    for (const id of selectors.resourceIds) {
      const parsed = parseResourceId(id)!;
      add({
        id: parsed.id,
        name: parsed.name,
        type: parsed.type,
        subscriptionId: parsed.subscriptionId,
        resourceGroup: parsed.resourceGroup,
        portalUrl: this.resourcePortalUrl(parsed.id),
      });
    }

    for (const { subscriptionId, resourceGroup } of selectors.resourceGroups) {
      const client = this.resourceClient(subscriptionId);
      for await (const resource of client.resources.listByResourceGroup(
        resourceGroup,
        { requestOptions: { timeout: REQUEST_TIMEOUT_MS } },
      )) {
        const record = this.toResource(resource);
        if (record) add(record);
      }
    }

    if (selectors.tag) {
      if (this.config.subscriptionIds.length === 0) {
        throw new InputError(
          'The azure.com/tag-selector annotation needs azureMonitor.subscriptionIds in the app-config to know where to look',
        );
      }
      const filter = `tagName eq '${selectors.tag.key}' and tagValue eq '${selectors.tag.value}'`;
      for (const subscriptionId of this.config.subscriptionIds) {
        const client = this.resourceClient(subscriptionId);
        for await (const resource of client.resources.list({
          filter,
          requestOptions: { timeout: REQUEST_TIMEOUT_MS },
        })) {
          const record = this.toResource(resource);
          if (record) add(record);
        }
      }
    }

    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private toResource(resource: {
    id?: string;
    name?: string;
    type?: string;
    location?: string;
    tags?: Record<string, string>;
  }): AzureResource | undefined {
    const parsed = resource.id ? parseResourceId(resource.id) : undefined;
    if (!parsed) return undefined;
    return {
      id: parsed.id,
      name: resource.name ?? parsed.name,
      type: resource.type ?? parsed.type,
      subscriptionId: parsed.subscriptionId,
      resourceGroup: parsed.resourceGroup,
      ...(resource.location ? { location: resource.location } : {}),
      ...(resource.tags ? { tags: resource.tags } : {}),
      portalUrl: this.resourcePortalUrl(parsed.id),
    };
  }

  private async readMetrics(
    resources: AzureResource[],
    range: MetricsRange,
  ): Promise<MetricSeries[]> {
    const window = rangeWindow(range, this.now());
    const measured = resources
      .filter(r => metricsFor(r.type).length > 0)
      .slice(0, MAX_METRIC_RESOURCES);
    const perResource = await Promise.all(
      measured.map(async resource => {
        const choices = metricsFor(resource.type);
        const response = await this.monitorClient.metrics.list(
          // The SDK's URL template adds the leading slash itself.
          resource.id.replace(/^\/+/, ''),
          {
            timespan: window.timespan,
            interval: window.interval,
            metricnames: choices.map(c => c.metric).join(','),
            aggregation: 'average,total',
            requestOptions: { timeout: REQUEST_TIMEOUT_MS },
          },
        );
        const series: MetricSeries[] = [];
        for (const choice of choices) {
          const metric = response.value.find(
            m => m.name.value.toLowerCase() === choice.metric.toLowerCase(),
          );
          if (!metric) continue;
          const data = metric.timeseries?.[0]?.data ?? [];
          series.push({
            resourceId: resource.id,
            resourceName: resource.name,
            resourceType: resource.type,
            metric: choice.metric,
            unit: String(metric.unit),
            kind: choice.kind,
            points: data.map(point => ({
              timestamp: new Date(point.timeStamp).toISOString(),
              value: point[choice.aggregation] ?? null,
            })),
          });
        }
        return series;
      }),
    );
    return perResource.flat();
  }

  private async readAlerts(resources: AzureResource[]): Promise<AzureAlert[]> {
    const perResource = await Promise.all(
      resources.map(resource => this.readAlertsOf(resource)),
    );
    const seen = new Set<string>();
    const alerts = perResource.flat().filter(alert => {
      const key = alert.id.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return alerts.sort(
      (a, b) =>
        ALERT_SEVERITIES.indexOf(a.severity) - ALERT_SEVERITIES.indexOf(b.severity) ||
        (b.firedAt ?? '').localeCompare(a.firedAt ?? ''),
    );
  }

  private async readAlertsOf(resource: AzureResource): Promise<AzureAlert[]> {
    const query = new URLSearchParams({
      'api-version': ALERTS_API_VERSION,
      targetResource: resource.id,
      monitorCondition: 'Fired',
      timeRange: ALERTS_TIME_RANGE,
    });
    let url:
      | string
      | undefined = `${this.config.armEndpoint}/subscriptions/${resource.subscriptionId}/providers/Microsoft.AlertsManagement/alerts?${query}`;
    const alerts: AzureAlert[] = [];
    for (let page = 0; url && page < MAX_ALERT_PAGES; page++) {
      const body = (await this.getJson(url)) as AlertsPage;
      for (const item of body.value ?? []) {
        const alert = alertFromArm(item, this.config.portalUrl);
        if (
          alert &&
          alert.targetResource.toLowerCase() === resource.id.toLowerCase()
        ) {
          alerts.push(alert);
        }
      }
      url = body.nextLink ?? undefined;
    }
    return alerts;
  }

  /** A GET through the same Azure pipeline as the SDK clients: bearer token, TLS settings, no retries. */
  private async getJson(url: string): Promise<unknown> {
    const request = createPipelineRequest({
      url,
      method: 'GET',
      timeout: REQUEST_TIMEOUT_MS,
    });
    request.headers.set('accept', 'application/json');
    const response = await this.alertsPipeline.sendRequest(
      this.httpClient,
      request,
    );
    if (response.status < 200 || response.status >= 300) {
      let code: string | undefined;
      try {
        code = JSON.parse(response.bodyAsText ?? '')?.error?.code;
      } catch {
        code = undefined;
      }
      throw new RestError(`Azure alerts answered ${response.status}`, {
        statusCode: response.status,
        code,
        request,
        response,
      });
    }
    return JSON.parse(response.bodyAsText ?? '{}');
  }

  private resourceClient(subscriptionId: string): ResourceManagementClient {
    let client = this.resourceClients.get(subscriptionId);
    if (!client) {
      client = new ResourceManagementClient(
        this.credential,
        subscriptionId,
        this.clientOptions(),
      );
      this.resourceClients.set(subscriptionId, client);
    }
    return client;
  }

  private clientOptions() {
    return {
      endpoint: this.config.armEndpoint,
      credentials: { scopes: this.scopes() },
      // The SDK's default policy retries a 429 up to three times, sleeping for each
      // Retry-After (often tens of seconds) while the user waits on a spinner. The card
      // would rather answer at once with the last good data and say when to try again.
      retryOptions: { maxRetries: 0 },
      tlsOptions: this.tlsOptions(),
    };
  }

  private scopes(): string[] {
    return [`${this.config.armEndpoint}/.default`];
  }

  private tlsOptions(): TlsSettings | undefined {
    return this.config.caData ? { ca: this.config.caData } : undefined;
  }

  private resourcePortalUrl(id: string): string {
    return `${this.config.portalUrl}/#resource${id}`;
  }
}

type AlertsPage = { value?: ArmAlert[]; nextLink?: string | null };

function selectorsOf(entity: Entity): ResourceSelectors | undefined {
  try {
    return readResourceSelectors(entity);
  } catch (error) {
    if (error instanceof AnnotationError) throw new InputError(error.message);
    throw error;
  }
}

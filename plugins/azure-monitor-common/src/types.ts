// Response shapes of /api/azure-monitor, shared by the backend, its node library and the cards.

/** Why the answer is not fresh from Azure. */
export type AzureProblem =
  | { status: 'credentials'; message: string }
  | { status: 'throttled'; message: string; retryAfterSeconds?: number }
  | { status: 'unavailable'; message: string };

export type MetricsRange = '1h' | '6h' | '24h' | '7d';
export const METRICS_RANGES: MetricsRange[] = ['1h', '6h', '24h', '7d'];

export type MetricKind = 'requests' | 'failures' | 'latency' | 'cpu' | 'memory';

export type AzureResource = {
  id: string;
  name: string;
  /** As ARM spells it, e.g. `Microsoft.Web/sites`. */
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  tags?: Record<string, string>;
  portalUrl: string;
};

export type MetricPoint = { timestamp: string; value: number | null };

export type MetricSeries = {
  resourceId: string;
  resourceName: string;
  resourceType: string;
  /** The Azure Monitor metric name, e.g. `Http5xx`. */
  metric: string;
  /** Azure Monitor's unit: `Count`, `Percent`, `Milliseconds`, `Seconds`, `Bytes`... */
  unit: string;
  kind: MetricKind;
  points: MetricPoint[];
};

export type AlertSeverity = 'Sev0' | 'Sev1' | 'Sev2' | 'Sev3' | 'Sev4';

export type AzureAlert = {
  id: string;
  name: string;
  severity: AlertSeverity;
  /** `New` or `Acknowledged`; closed alerts are not listed. */
  state: string;
  monitorCondition: string;
  firedAt?: string;
  targetResource: string;
  portalUrl: string;
};

/** Common to every answer about an entity with Azure annotations. */
export type Freshness = {
  entityRef: string;
  configured: true;
  /** When the data was read from Azure. */
  generatedAt: string;
  /** True when Azure could not be read now and this is the last good answer. */
  stale: boolean;
  problem?: AzureProblem;
};

/** Nothing to read: the entity names no Azure resources, or the portal has no Azure settings. */
export type NotConfiguredResponse = {
  entityRef: string;
  configured: false;
  /**
   * What is missing: `annotation` when the entity names no Azure resources (add one of
   * `annotations`), `portal` when the portal itself lacks Azure settings (set `settings`).
   */
  missing: 'annotation' | 'portal';
  annotations: string[];
  /** The app-config keys a platform engineer sets, when `missing` is `portal`. */
  settings?: string[];
};

export type ResourcesResponse =
  | (Freshness & { resources: AzureResource[] })
  | NotConfiguredResponse;

export type MetricsResponse =
  | (Freshness & { range: MetricsRange; series: MetricSeries[] })
  | NotConfiguredResponse;

export type AlertsResponse =
  | (Freshness & { alerts: AzureAlert[] })
  | NotConfiguredResponse;

import { MetricKind, MetricsRange } from '@internal/plugin-azure-monitor-common';

export type MetricChoice = {
  metric: string;
  kind: MetricKind;
  /** The aggregation that makes sense for the metric: counts add up, gauges average. */
  aggregation: 'total' | 'average';
};

const total = (metric: string, kind: MetricKind): MetricChoice => ({
  metric,
  kind,
  aggregation: 'total',
});
const average = (metric: string, kind: MetricKind): MetricChoice => ({
  metric,
  kind,
  aggregation: 'average',
});

// Names as in "Supported metrics with Azure Monitor" per resource type. A name the resource
// type does not have makes Azure Monitor fail the whole request, so each list stays exact.
const CATALOG: Record<string, MetricChoice[]> = {
  'microsoft.web/sites': [
    total('Requests', 'requests'),
    total('Http5xx', 'failures'),
    average('HttpResponseTime', 'latency'),
    total('CpuTime', 'cpu'),
    average('MemoryWorkingSet', 'memory'),
  ],
  'microsoft.insights/components': [
    total('requests/count', 'requests'),
    total('requests/failed', 'failures'),
    average('requests/duration', 'latency'),
  ],
  'microsoft.containerservice/managedclusters': [
    average('node_cpu_usage_percentage', 'cpu'),
    average('node_memory_working_set_percentage', 'memory'),
  ],
  'microsoft.dbforpostgresql/flexibleservers': [
    average('cpu_percent', 'cpu'),
    average('memory_percent', 'memory'),
  ],
  'microsoft.cache/redis': [
    average('percentProcessorTime', 'cpu'),
    average('usedmemorypercentage', 'memory'),
  ],
  'microsoft.servicebus/namespaces': [
    total('IncomingRequests', 'requests'),
    total('ServerErrors', 'failures'),
  ],
};

/** The metrics worth showing for a resource type; empty when the plugin knows none. */
export function metricsFor(resourceType: string): MetricChoice[] {
  return CATALOG[resourceType.toLowerCase()] ?? [];
}

export type RangeWindow = { timespan: string; interval: string };

const RANGES: Record<MetricsRange, { ms: number; interval: string }> = {
  '1h': { ms: 3_600_000, interval: 'PT1M' },
  '6h': { ms: 6 * 3_600_000, interval: 'PT5M' },
  '24h': { ms: 24 * 3_600_000, interval: 'PT15M' },
  '7d': { ms: 7 * 24 * 3_600_000, interval: 'PT1H' },
};

/** Azure Monitor's `timespan` (start/end) and time grain for a range ending now. */
export function rangeWindow(range: MetricsRange, now: Date): RangeWindow {
  const { ms, interval } = RANGES[range];
  const start = new Date(now.getTime() - ms);
  return {
    timespan: `${start.toISOString()}/${now.toISOString()}`,
    interval,
  };
}

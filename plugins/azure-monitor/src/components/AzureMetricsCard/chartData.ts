import { MetricKind, MetricSeries } from '../../api';

/** The order and the names the sections are shown with. */
const METRIC_KINDS: { kind: MetricKind; title: string }[] = [
  { kind: 'requests', title: 'Requests' },
  { kind: 'failures', title: 'Failed requests' },
  { kind: 'latency', title: 'Server response time' },
  { kind: 'cpu', title: 'CPU' },
  { kind: 'memory', title: 'Memory' },
];

type Scale = { label: string; factor: number };

/**
 * Brings one kind's units together where they measure the same thing (App Service reports
 * response time in seconds, Application Insights in milliseconds) and picks a readable axis
 * label; units that cannot be compared (memory in bytes and in percent) stay apart.
 */
function scaleOf(kind: MetricKind, unit: string): Scale {
  // Azure Monitor spells it `MilliSeconds`; compared without case, as its units are.
  switch (unit.toLowerCase()) {
    case 'percent':
      return { label: '%', factor: 1 };
    case 'milliseconds':
      return { label: 'ms', factor: 1 };
    case 'seconds':
      return kind === 'latency'
        ? { label: 'ms', factor: 1000 }
        : { label: 's', factor: 1 };
    case 'bytes':
      return { label: 'MiB', factor: 1 / (1024 * 1024) };
    case 'count':
      return { label: kind === 'failures' ? 'failed requests' : 'requests', factor: 1 };
    case 'countpersecond':
      return { label: 'per second', factor: 1 };
    default:
      return { label: unit.toLowerCase(), factor: 1 };
  }
}

export type ChartLine = { key: string; label: string; latest?: number };

export type Chart = {
  /** The axis label, e.g. `ms` or `%`. */
  unit: string;
  lines: ChartLine[];
  /** One row per timestamp, one column per line; null where Azure had no value. */
  rows: Array<{ time: number } & Record<string, number | null>>;
};

export type MetricSection = { kind: MetricKind; title: string; charts: Chart[] };

/** One section per metric kind present, each with one chart per comparable unit. */
export function toSections(series: MetricSeries[]): MetricSection[] {
  return METRIC_KINDS.flatMap(({ kind, title }) => {
    const ofKind = series.filter(s => s.kind === kind);
    if (ofKind.length === 0) return [];
    // Each series keeps its own factor: one axis may join seconds and milliseconds.
    const byUnit = new Map<string, MetricSeries[]>();
    for (const s of ofKind) {
      const label = scaleOf(kind, s.unit).label;
      byUnit.set(label, [...(byUnit.get(label) ?? []), s]);
    }
    const charts = [...byUnit.entries()].map(([unit, group]) =>
      toChart(kind, unit, group),
    );
    return [{ kind, title, charts }];
  });
}

function toChart(kind: MetricKind, unit: string, series: MetricSeries[]): Chart {
  const names = series.map(s => s.resourceName);
  const rows = new Map<number, { time: number } & Record<string, number | null>>();
  const lines = series.map((s, i) => {
    // Two metrics of one resource in one chart need telling apart.
    const ambiguous = names.indexOf(s.resourceName) !== names.lastIndexOf(s.resourceName);
    const scale = scaleOf(kind, s.unit);
    const line: ChartLine = {
      key: `s${i}`,
      label: ambiguous ? `${s.resourceName} (${s.metric})` : s.resourceName,
    };
    for (const point of s.points) {
      const time = Date.parse(point.timestamp);
      if (Number.isNaN(time)) continue;
      const row = rows.get(time) ?? ({ time } as { time: number } & Record<string, number | null>);
      const value = point.value === null ? null : round(point.value * scale.factor);
      row[line.key] = value;
      rows.set(time, row);
      if (value !== null) line.latest = value;
    }
    return line;
  });
  return {
    unit,
    lines,
    rows: [...rows.values()].sort((a, b) => a.time - b.time),
  };
}

function round(value: number) {
  return Math.round(value * 100) / 100;
}

import { environmentRank } from '@internal/plugin-platform-common';
import { compareReasons, worstState } from './state';
import { HealthState, Reason } from './types';

/** The reasons of one environment, or of one source that belongs to none (Azure Monitor). */
export type ReasonGroup = {
  /** The environment, or the source for reasons of no environment. */
  title: string;
  environment?: string;
  state: HealthState;
  /** Worst first. */
  reasons: Reason[];
};

/**
 * Groups reasons by environment, in promotion order (`order`), then the reasons of no
 * environment by source: a card then reads "prod: 2 reasons", not one long mixed list.
 */
export function groupReasons(
  reasons: Reason[],
  order: readonly string[] = [],
): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const reason of reasons) {
    const key = reason.environment
      ? `env:${reason.environment}`
      : `source:${reason.source}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        title: reason.environment ?? reason.source,
        ...(reason.environment ? { environment: reason.environment } : {}),
        state: 'Unknown',
        reasons: [],
      };
      groups.set(key, group);
    }
    group.reasons.push(reason);
  }
  const result = [...groups.values()].map(group => {
    const sorted = [...group.reasons].sort(compareReasons);
    const states = sorted.map(r => r.state);
    return { ...group, reasons: sorted, state: worstState(states) };
  });
  return result.sort((a, b) => {
    // Environments first, in promotion order; then other sources by name.
    if (a.environment && b.environment) {
      return (
        environmentRank(order, a.environment) -
          environmentRank(order, b.environment) ||
        a.environment.localeCompare(b.environment)
      );
    }
    if (a.environment) return -1;
    if (b.environment) return 1;
    return a.title.localeCompare(b.title);
  });
}

/**
 * The message without a leading repeat of its own subject: a source failure's message names
 * its source ("Kubernetes cluster aks-prod (prod) did not answer...") so that it stands
 * alone, but under a heading that already names the source the repeat is noise.
 */
export function reasonText(reason: Pick<Reason, 'source' | 'message'>): string {
  const { source, message } = reason;
  if (!message.startsWith(source)) return message;
  const rest = message
    .slice(source.length)
    // "(prod)" after the cluster name, then the separator.
    .replace(/^\s*\([^)]*\)/, '')
    .replace(/^\s*[:,—-]?\s*/, '');
  return rest ? rest.charAt(0).toUpperCase() + rest.slice(1) : message;
}

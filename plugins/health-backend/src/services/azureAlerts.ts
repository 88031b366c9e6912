import { Entity } from '@backstage/catalog-model';
import type { AzureAlert } from '@internal/plugin-azure-monitor-common';
import type { AzureMonitorReader } from '@internal/plugin-azure-monitor-node';
import type { SourceFailure } from '@internal/plugin-health-common';

/** Firing alerts of an entity; undefined when Azure Monitor is not set up for it. */
export type AlertsReading =
  | { alerts: AzureAlert[]; failure?: SourceFailure }
  | undefined;

export type AlertsSource = (
  entity: Entity,
  timeoutMs: number,
) => Promise<AlertsReading>;

const AZURE_ALERTS_SOURCE = 'Azure Monitor alerts';

/**
 * The alerts Azure Monitor lists for an entity the router has already read from the catalog
 * as its caller, so the catalog is asked once per answer. An unannotated entity, or a portal
 * without Azure Monitor, adds nothing.
 */
export function azureMonitorAlerts(azureMonitor: Pick<AzureMonitorReader, 'getAlerts'>): AlertsSource {
  return async (entity, timeoutMs) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Azure Monitor did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      // The read goes on past the timeout and fills Azure Monitor's cache for the next answer.
      const answer = await Promise.race([azureMonitor.getAlerts(entity), timeout]);
      if (!answer.configured) return undefined;
      return answer.problem
        ? { alerts: answer.alerts, failure: { source: AZURE_ALERTS_SOURCE, message: answer.problem.message } }
        : { alerts: answer.alerts };
    } catch (error) {
      // A malformed annotation or a timeout: said, with what to fix, beside the rest of the verdict.
      const message = error instanceof Error ? error.message : String(error);
      return { alerts: [], failure: { source: AZURE_ALERTS_SOURCE, message } };
    } finally {
      clearTimeout(timer);
    }
  };
}

import type { AlertSeverity, AzureAlert } from '@internal/plugin-azure-monitor-common';
import { verdictFromReasons } from './state';
import { HealthState, Reason, Verdict } from './types';

const SOURCE = 'Azure Monitor';

/**
 * Azure Monitor severities (Sev0 critical ... Sev4 verbose) mapped to a state.
 * Sev0 means the service is down. Sev1 (error) and Sev2 (warning) mean it works
 * but not well. Sev3 (informational) and Sev4 (verbose) do not change the
 * verdict: they are listed as reasons of state Healthy so the card still shows them.
 */
const SEVERITY_STATE: Record<AlertSeverity, HealthState> = {
  Sev0: 'Down',
  Sev1: 'Degraded',
  Sev2: 'Degraded',
  Sev3: 'Healthy',
  Sev4: 'Healthy',
};

const SEVERITY_NAME: Record<AlertSeverity, string> = {
  Sev0: 'critical',
  Sev1: 'error',
  Sev2: 'warning',
  Sev3: 'informational',
  Sev4: 'verbose',
};

/** Verdict from the firing alerts Azure Monitor listed; Resolved or Closed ones are ignored. */
export function alertsVerdict(alerts: AzureAlert[]): Verdict {
  const reasons: Reason[] = alerts
    .filter(alert => alert.monitorCondition === 'Fired' && alert.state !== 'Closed')
    .map(alert => {
      const target = alert.targetResource.split('/').pop();
      return {
        state: SEVERITY_STATE[alert.severity],
        source: SOURCE,
        message: `${alert.severity} (${SEVERITY_NAME[alert.severity]}) alert "${alert.name}" fired${
          target ? ` on ${target}` : ''
        } (${alert.state})`,
      };
    });
  if (reasons.length > 0) return verdictFromReasons(reasons);
  return {
    ...verdictFromReasons([
      { state: 'Healthy', source: SOURCE, message: 'No Azure Monitor alerts are firing' },
    ]),
    quiet: true,
  };
}

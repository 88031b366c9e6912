import { asArray, asString, field } from './narrow';
import { verdictFromReasons } from './state';
import { HealthState, Reason, Verdict } from './types';

const SOURCE = 'Azure Monitor';

/**
 * Azure Monitor severities (Sev0 critical ... Sev4 verbose) mapped to a state.
 * Sev0 means the service is down. Sev1 (error) and Sev2 (warning) mean it works
 * but not well. Sev3 (informational) and Sev4 (verbose) do not change the
 * verdict: they are listed as reasons of state Healthy so the card still shows them.
 */
const SEVERITY_STATE: Record<string, HealthState> = {
  Sev0: 'Down',
  Sev1: 'Degraded',
  Sev2: 'Degraded',
  Sev3: 'Healthy',
  Sev4: 'Healthy',
};

const SEVERITY_NAME: Record<string, string> = {
  Sev0: 'critical',
  Sev1: 'error',
  Sev2: 'warning',
  Sev3: 'informational',
  Sev4: 'verbose',
};

/** Verdict from alerts as returned by Alerts_GetAll. Resolved or Closed alerts are ignored. */
export function alertsVerdict(alerts: unknown[]): Verdict {
  const entries = asArray(alerts);
  const unreadable = verdictFromReasons([
    {
      state: 'Unknown',
      source: SOURCE,
      message: 'The alerts could not be read',
    },
  ]);
  if (!Array.isArray(alerts)) return unreadable;
  const reasons: Reason[] = [];
  let readable = 0;
  for (const alert of entries) {
    const essentials = field(alert, 'properties', 'essentials');
    const severity = asString(field(essentials, 'severity'));
    const condition = asString(field(essentials, 'monitorCondition'));
    if (!severity || !SEVERITY_STATE[severity] || !condition) continue;
    readable += 1;
    const alertState = asString(field(essentials, 'alertState'));
    if (condition !== 'Fired' || alertState === 'Closed') continue;

    const name = asString(field(alert, 'name')) ?? 'unnamed alert';
    const target = asString(field(essentials, 'targetResourceName'));
    reasons.push({
      state: SEVERITY_STATE[severity],
      source: SOURCE,
      message: `${severity} (${SEVERITY_NAME[severity]}) alert "${name}" fired${
        target ? ` on ${target}` : ''
      }${alertState ? ` (${alertState})` : ''}`,
    });
  }

  if (reasons.length > 0) return verdictFromReasons(reasons);
  if (entries.length > 0 && readable === 0) return unreadable;
  return {
    ...verdictFromReasons([
      {
        state: 'Healthy',
        source: SOURCE,
        message: 'No Azure Monitor alerts are firing',
      },
    ]),
    quiet: true,
  };
}

import type { AlertSeverity, AzureAlert } from './types';

export const ALERT_SEVERITIES: AlertSeverity[] = ['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4'];

/** One alert as Alerts_GetAll (Microsoft.AlertsManagement/alerts) returns it. */
export type ArmAlert = {
  id?: string;
  name?: string;
  properties?: {
    essentials?: {
      severity?: string;
      alertState?: string;
      monitorCondition?: string;
      targetResource?: string;
      startDateTime?: string;
    };
  };
};

/**
 * The alert, when it is firing and readable; Resolved, Closed, unknown severities and
 * half-written items give undefined. `portalUrl` is the base of the link to its blade.
 */
export function alertFromArm(item: ArmAlert, portalUrl: string): AzureAlert | undefined {
  const essentials = item.properties?.essentials;
  if (!item.id || !essentials) return undefined;
  const severity = essentials.severity as AlertSeverity;
  if (!ALERT_SEVERITIES.includes(severity)) return undefined;
  if (essentials.monitorCondition !== 'Fired') return undefined;
  if (essentials.alertState === 'Closed') return undefined;
  return {
    id: item.id,
    name: item.name ?? item.id.split('/').pop()!,
    severity,
    state: essentials.alertState ?? 'New',
    monitorCondition: essentials.monitorCondition,
    ...(essentials.startDateTime ? { firedAt: essentials.startDateTime } : {}),
    targetResource: essentials.targetResource ?? '',
    portalUrl: `${portalUrl}/#blade/Microsoft_Azure_Monitoring/AlertDetailsTemplateBlade/alertId/${encodeURIComponent(
      item.id,
    )}`,
  };
}

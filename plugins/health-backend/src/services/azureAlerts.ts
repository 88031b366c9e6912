import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { SourceFailure } from '@internal/plugin-health-common';
import fetch from 'node-fetch';

/** Firing alerts of an entity, in the shape alertsVerdict reads; undefined when not configured. */
export type AlertsReading =
  | { alerts: unknown[]; failure?: SourceFailure }
  | undefined;

export type AlertsSource = (
  entityRef: string,
  timeoutMs: number,
) => Promise<AlertsReading>;

export const AZURE_ALERTS_SOURCE = 'Azure Monitor alerts';

/**
 * Reads the alerts from the azure-monitor plugin, which owns the Azure credentials
 * and the resource resolution. A missing plugin or an unannotated entity adds nothing.
 */
export function azureMonitorAlerts(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}): AlertsSource {
  return async (entityRef, timeoutMs) => {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const base = await deps.discovery.getBaseUrl('azure-monitor');
      const { token } = await deps.auth.getPluginRequestToken({
        onBehalfOf: await deps.auth.getOwnServiceCredentials(),
        targetPluginId: 'azure-monitor',
      });
      const res = await fetch(
        `${base}/v1/entities/${[kind, namespace, name]
          .map(encodeURIComponent)
          .join('/')}/alerts`,
        {
          headers: { Authorization: `Bearer ${token}` },
          signal: controller.signal as any,
        },
      );
      if (res.status === 404) return undefined;
      if (!res.ok) {
        const error: any = await res.json().catch(() => undefined);
        return {
          alerts: [],
          failure: {
            source: AZURE_ALERTS_SOURCE,
            message:
              error?.error?.message ??
              `Azure Monitor answered HTTP ${res.status}`,
          },
        };
      }
      const body: any = await res.json();
      if (!body.configured) return undefined;
      const alerts = (body.alerts ?? []).map((a: any) => ({
        name: a.name,
        properties: {
          essentials: {
            severity: a.severity,
            monitorCondition: a.monitorCondition,
            alertState: a.state,
            targetResourceName: String(a.targetResource ?? '')
              .split('/')
              .pop(),
            startDateTime: a.firedAt,
          },
        },
      }));
      return body.problem
        ? {
            alerts,
            failure: {
              source: AZURE_ALERTS_SOURCE,
              message: body.problem.message,
            },
          }
        : { alerts };
    } catch (error: any) {
      const message =
        error?.name === 'AbortError'
          ? `Azure Monitor did not answer within ${timeoutMs} ms`
          : `Azure Monitor could not be read: ${error?.message ?? error}`;
      return { alerts: [], failure: { source: AZURE_ALERTS_SOURCE, message } };
    } finally {
      clearTimeout(timer);
    }
  };
}

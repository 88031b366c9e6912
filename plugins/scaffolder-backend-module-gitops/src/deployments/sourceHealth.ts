import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { EnvironmentsResponse, ResourcesResponse, VerdictResponse } from '@internal/plugin-health-common';

/** Whether an environment runs `version` Synced and Healthy, and if not, why, in words. */
export type SourceHealth = { ready: boolean; reason: string };

export type SourceHealthCheck = (
  component: string,
  environment: string,
  version: string,
  credentials: BackstageCredentials,
) => Promise<SourceHealth>;

/**
 * Asks the health plugin, on behalf of the user, what ArgoCD and the pods say about the
 * source environment: the same view the Environments card shows, so a refusal matches the page.
 */
export type HealthDeps = { discovery: DiscoveryService; auth: AuthService };

/** One card's answer of the health plugin for a component, asked as the user; a string says why not. */
async function healthCard<T>(
  deps: HealthDeps,
  component: string,
  card: 'environments' | 'verdict' | 'resources',
  credentials: BackstageCredentials,
): Promise<T | string> {
  try {
    const base = await deps.discovery.getBaseUrl('health');
    const { token } = await deps.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'health',
    });
    const res = await fetch(
      `${base}/v1/entities/component/default/${encodeURIComponent(component)}/${card}`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    if (!res.ok) return `the health service answered ${res.status} for ${component}`;
    return (await res.json()) as T;
  } catch (error: any) {
    return `the health service could not be asked (${error.message})`;
  }
}

/** The Environments card's rows for a component, asked as the user; a string says why not. */
export const environmentsOf = (deps: HealthDeps, component: string, credentials: BackstageCredentials) =>
  healthCard<EnvironmentsResponse>(deps, component, 'environments', credentials);

/** The Cloud resources card's rows for a component; a string says why not. */
export const resourcesOf = (deps: HealthDeps, component: string, credentials: BackstageCredentials) =>
  healthCard<ResourcesResponse>(deps, component, 'resources', credentials);

/** The Health card's verdict for a component, asked as the user; a string says why not. */
export const verdictOf = (deps: HealthDeps, component: string, credentials: BackstageCredentials) =>
  healthCard<VerdictResponse>(deps, component, 'verdict', credentials);

export function sourceHealthFromHealthPlugin(deps: HealthDeps): SourceHealthCheck {
  return async (component, environment, version, credentials) => {
    const body = await environmentsOf(deps, component, credentials);
    if (typeof body === 'string') return { ready: false, reason: body };
    const row = body.environments.find(r => r.environment === environment);
    if (!row) {
      return { ready: false, reason: `no cluster of ${environment} reports ${component}` };
    }
    const app = row.application;
    if (!app) {
      return { ready: false, reason: `${environment} has no ArgoCD Application for ${component}` };
    }
    if (app.syncStatus !== 'Synced' || app.healthStatus !== 'Healthy') {
      return {
        ready: false,
        reason: `${component} in ${environment} is ${app.syncStatus} and ${app.healthStatus} in ArgoCD${
          app.message ? ` (${app.message})` : ''
        }`,
      };
    }
    if (!row.imageTags.includes(version)) {
      return {
        ready: false,
        reason: `the pods of ${component} in ${environment} run ${
          row.imageTags.join(', ') || 'no image yet'
        }, not ${version}`,
      };
    }
    return { ready: true, reason: `${environment} runs ${version}, Synced and Healthy` };
  };
}

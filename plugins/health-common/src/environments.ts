import {
  applicationName,
  ENVIRONMENT_LABEL,
  environmentRank,
} from '@internal/plugin-platform-common';
import { asRecord, asString } from './narrow';
import { Reason, Verdict } from './types';

function labelOf(object: unknown, label: string): string | undefined {
  const labels = asRecord(asRecord(asRecord(object)?.metadata)?.labels);
  const value = asString(labels?.[label]);
  return value ? value : undefined;
}

function nameOf(object: unknown): string | undefined {
  return asString(asRecord(asRecord(object)?.metadata)?.name);
}

/**
 * The ArgoCD Applications of one environment. A hub ArgoCD also holds the Applications of
 * other environments: those carry another idp-portal/environment label or the name
 * `<service>-<other environment>` of an environment in `order`.
 */
export function applicationsOfEnvironment(
  apps: unknown[],
  kubernetesId: string,
  environment: string,
  order: readonly string[],
): unknown[] {
  return apps.filter(app => {
    const labelled = labelOf(app, ENVIRONMENT_LABEL);
    if (labelled) return labelled === environment;
    const name = nameOf(app);
    return (
      name === applicationName(kubernetesId, environment) ||
      !order.some(other => name === applicationName(kubernetesId, other))
    );
  });
}

/** The environment's own Application (`<service>-<env>`), else its first one. */
export function primaryApplication(
  apps: unknown[],
  kubernetesId: string,
  environment: string,
): unknown | undefined {
  return (
    apps.find(app => nameOf(app) === applicationName(kubernetesId, environment)) ??
    apps[0]
  );
}

type Ordered = { environment: string; cluster: string; kind?: string; name?: string };

/** Rows in promotion order (`order`), then by environment, cluster, kind and name. */
export function compareByEnvironment(order: readonly string[]) {
  return (a: Ordered, b: Ordered): number =>
    environmentRank(order, a.environment) - environmentRank(order, b.environment) ||
    a.environment.localeCompare(b.environment) ||
    a.cluster.localeCompare(b.cluster) ||
    (a.kind ?? '').localeCompare(b.kind ?? '') ||
    (a.name ?? '').localeCompare(b.name ?? '');
}

/**
 * Names the environment on each reason, so the component's verdict says where things are
 * wrong and the card can group by it.
 */
export function labelReasons(verdict: Verdict, environment: string): Verdict {
  return {
    ...verdict,
    reasons: verdict.reasons.map((reason): Reason => ({ ...reason, environment })),
  };
}

/** `repo/app:1.4.2` → `1.4.2`; `repo/app@sha256:abc...` → `sha256:abc...`; no tag → `latest`. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > lastSlash ? image.slice(colon + 1) : 'latest';
}

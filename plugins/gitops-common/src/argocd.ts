import { ARGOCD_API_VERSION, applicationName } from '@internal/plugin-platform-common';
import { entityName } from './names';
import { EnvironmentConfig, PlatformConfig } from './platform';
import { ServiceRequest } from './request';
import {
  ENVIRONMENT_LABEL,
  gitopsPaths,
  KUBERNETES_ID_LABEL,
  OWNER_ANNOTATION,
} from './layout';
import { KubernetesObject } from './types';

/**
 * Dev and staging sync automatically and prune. Prod self-heals but never
 * prunes on its own: Git (through a reviewed pull request) is the gate, and
 * deleting a file must not silently delete a stateful resource.
 */
function syncPolicyFor(env: EnvironmentConfig) {
  const policy = env.syncPolicy ?? (env.name === 'prod' ? 'auto-no-prune' : 'auto');
  const common = {
    syncOptions: ['PruneLast=true', 'ApplyOutOfSyncOnly=true'],
    retry: {
      limit: 5,
      backoff: { duration: '10s', factor: 2, maxDuration: '3m' },
    },
  };
  switch (policy) {
    case 'manual':
      return common;
    case 'auto-no-prune':
      return { automated: { prune: false, selfHeal: true }, ...common };
    default:
      return { automated: { prune: true, selfHeal: true }, ...common };
  }
}

export function application(
  req: Pick<ServiceRequest, 'name' | 'owner'>,
  env: EnvironmentConfig,
  platform: PlatformConfig,
): KubernetesObject {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: 'Application',
    metadata: {
      name: applicationName(req.name, env.name),
      namespace: platform.argocdNamespace,
      labels: {
        [KUBERNETES_ID_LABEL]: req.name,
        'app.kubernetes.io/name': req.name,
        [ENVIRONMENT_LABEL]: env.name,
      },
      annotations: { [OWNER_ANNOTATION]: req.owner },
      // Deleting the Application deletes what it deployed.
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: entityName(req.owner),
      source: {
        repoURL: platform.gitopsRepoUrl,
        targetRevision: platform.targetRevision,
        path: gitopsPaths.overlay(req.name, env.name),
      },
      destination: { name: env.cluster, namespace: req.name },
      syncPolicy: syncPolicyFor(env),
      revisionHistoryLimit: 10,
    },
  };
}

/** The team's ArgoCD project, written only when the team has none yet. */
export function appProject(
  team: string,
  platform: PlatformConfig,
): KubernetesObject {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: 'AppProject',
    metadata: { name: team, namespace: platform.argocdNamespace },
    spec: {
      description: `Services owned by ${team}`,
      sourceRepos: [platform.gitopsRepoUrl],
      destinations: platform.environments.map(env => ({
        name: env.cluster,
        namespace: '*',
      })),
      // Teams create their namespaces, nothing else cluster-wide.
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
      namespaceResourceBlacklist: [
        { group: '', kind: 'ResourceQuota' },
        { group: '', kind: 'LimitRange' },
      ],
      orphanedResources: { warn: true },
    },
  };
}

import {
  DEFAULT_ENVIRONMENTS,
  EnvironmentConfig,
} from '@internal/plugin-platform-common';
import { Size } from './request';

export { DEFAULT_ENVIRONMENTS };
export type { EnvironmentConfig };


export type PlatformConfig = {
  /** Clone URL of the GitOps repository, as ArgoCD sees it. */
  gitopsRepoUrl: string;
  targetRevision: string;
  acrLoginServer: string;
  argocdNamespace: string;
  environments: EnvironmentConfig[];
  /** `v2`: namespaced composite resources (Crossplane 2.x). `v1`: claims (Crossplane 1.x). */
  crossplaneApiVersion: 'v1' | 'v2';
  ingressClassName: string;
  /** Namespace of the ingress controller, allowed in by the NetworkPolicy. */
  ingressNamespace: string;
};

export function defaultPlatformConfig(
  overrides: Partial<PlatformConfig> & { gitopsRepoUrl: string },
): PlatformConfig {
  return {
    targetRevision: 'main',
    acrLoginServer: 'contoso.azurecr.io',
    argocdNamespace: 'argocd',
    environments: DEFAULT_ENVIRONMENTS,
    crossplaneApiVersion: 'v2',
    // AKS application routing add-on.
    ingressClassName: 'webapprouting.kubernetes.azure.com',
    ingressNamespace: 'app-routing-system',
    ...overrides,
  };
}

export type SizeProfile = {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  minReplicas: number;
  maxReplicas: number;
};

export const SIZE_PROFILES: Record<Size, SizeProfile> = {
  small: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
    minReplicas: 2,
    maxReplicas: 4,
  },
  medium: {
    requests: { cpu: '250m', memory: '256Mi' },
    limits: { cpu: '1', memory: '512Mi' },
    minReplicas: 2,
    maxReplicas: 8,
  },
  large: {
    requests: { cpu: '500m', memory: '512Mi' },
    limits: { cpu: '2', memory: '1Gi' },
    minReplicas: 3,
    maxReplicas: 12,
  },
};

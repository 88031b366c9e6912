import { stringify } from 'yaml';
import { application, appProject } from './argocd';
import { cloudResource } from './crossplane';
import {
  allowNetworkPolicy,
  defaultDenyNetworkPolicy,
  deployment,
  horizontalPodAutoscaler,
  imageName,
  ingress,
  namespace,
  podDisruptionBudget,
  service,
  serviceAccount,
} from './kubernetes';
import { exemptionAnnotation } from '@internal/plugin-platform-common';
import { gitopsPaths, OWNER_ANNOTATION } from './layout';
import { entityName } from './names';
import { EnvironmentConfig, PlatformConfig } from './platform';
import { ResourceRequest, ServiceRequest } from './request';
import { GitOpsFile, Kustomization } from './types';

export function selectEnvironments(
  req: Pick<ServiceRequest, 'environments'>,
  platform: PlatformConfig,
): EnvironmentConfig[] {
  if (!req.environments) return platform.environments;
  return req.environments.map(name => {
    const env = platform.environments.find(e => e.name === name);
    if (!env) {
      const known = platform.environments.map(e => e.name).join(', ');
      throw new Error(`Unknown environment "${name}"; this platform has ${known}`);
    }
    return env;
  });
}

function fileOf(path: string, ...documents: Array<object | undefined>): GitOpsFile {
  return { path, documents: documents.filter((d): d is object => !!d) };
}

function baseFiles(req: ServiceRequest, platform: PlatformConfig): GitOpsFile[] {
  const p = (f: string) => gitopsPaths.baseFile(req.name, f);
  const files = [
    fileOf(p('serviceaccount.yaml'), serviceAccount(req)),
    fileOf(p('deployment.yaml'), deployment(req, platform)),
    req.type === 'worker' ? undefined : fileOf(p('service.yaml'), service(req)),
    fileOf(p('hpa.yaml'), horizontalPodAutoscaler(req)),
    fileOf(p('pdb.yaml'), podDisruptionBudget(req)),
    fileOf(
      p('networkpolicy.yaml'),
      defaultDenyNetworkPolicy(req),
      allowNetworkPolicy(req, platform),
    ),
  ];
  const ing = ingress(req, platform);
  if (ing) files.push(fileOf(p('ingress.yaml'), ing));
  const present = files.filter((f): f is GitOpsFile => !!f);
  const kustomization: Kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: present.map(f => f.path.split('/').pop()!),
    commonAnnotations: {
      [OWNER_ANNOTATION]: req.owner,
      ...(req.description ? { 'idp-portal/description': req.description } : {}),
    },
  };
  return [fileOf(p('kustomization.yaml'), kustomization), ...present];
}

function overlayFiles(
  req: ServiceRequest,
  env: EnvironmentConfig,
  platform: PlatformConfig,
): GitOpsFile[] {
  const p = (f: string) => gitopsPaths.overlayFile(req.name, env.name, f);
  const files: GitOpsFile[] = [fileOf(p('namespace.yaml'), namespace(req, env.name))];
  const patches: string[] = [];
  if (env.workloadIdentityClientId) {
    files.push(
      fileOf(p('serviceaccount-patch.yaml'), {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: req.name,
          annotations: {
            'azure.workload.identity/client-id': env.workloadIdentityClientId,
          },
        },
      }),
    );
    patches.push('serviceaccount-patch.yaml');
  }
  if (env.name === 'dev') {
    // One replica is enough where nobody depends on availability.
    files.push(
      fileOf(p('hpa-patch.yaml'), {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: req.name },
        spec: { minReplicas: 1 },
      }),
    );
    patches.push('hpa-patch.yaml');
  }
  const resourceFiles = req.resources.map(r => resourceFile(req, r, env.name, platform));
  files.push(...resourceFiles);
  const kustomization: Kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: req.name,
    resources: [
      'namespace.yaml',
      '../../base',
      ...resourceFiles.map(f => relativeToOverlay(req.name, env.name, f.path)),
    ],
    labels: [{ pairs: { 'idp-portal/environment': env.name }, includeSelectors: false }],
    images: [{ name: imageName(req, platform), newTag: req.imageTag }],
    ...(patches.length ? { patches: patches.map(path => ({ path })) } : {}),
    // On every object of the environment (base, resources, pod templates), so the cluster's
    // policies skip each one, the pods a Deployment makes included.
    ...(req.exemptions.length
      ? {
          commonAnnotations: Object.fromEntries(
            req.exemptions.map(e => [exemptionAnnotation(e.policy), e.justification.trim()]),
          ),
        }
      : {}),
  };
  return [fileOf(p('kustomization.yaml'), kustomization), ...files];
}

export function relativeToOverlay(serviceName: string, env: string, path: string) {
  return path.slice(gitopsPaths.overlay(serviceName, env).length + 1);
}

export function resourceFile(
  req: Pick<ServiceRequest, 'name'>,
  resource: ResourceRequest,
  env: string,
  platform: PlatformConfig,
): GitOpsFile {
  return fileOf(
    gitopsPaths.resourceFile(req.name, env, resource.kind, resource.name),
    cloudResource(req, resource, env, platform),
  );
}

/**
 * Everything a service needs in the GitOps repository: the kustomize base, one
 * overlay and one ArgoCD Application per environment, and the team's AppProject.
 */
export function renderService(
  req: ServiceRequest,
  platform: PlatformConfig,
): GitOpsFile[] {
  const envs = selectEnvironments(req, platform);
  const team = entityName(req.owner);
  return [
    ...baseFiles(req, platform),
    ...envs.flatMap(env => overlayFiles(req, env, platform)),
    ...envs.map(env =>
      fileOf(gitopsPaths.application(req.name, env.name), application(req, env, platform)),
    ),
    { ...fileOf(gitopsPaths.project(team), appProject(team, platform)), createOnly: true },
  ];
}

/** YAML text of a file: one document per object, strings always stay strings. */
export function serializeFile(file: GitOpsFile): string {
  return file.documents
    .map(doc => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

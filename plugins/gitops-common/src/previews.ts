import { application } from './argocd';
import { namespace } from './kubernetes';
import {
  ENVIRONMENT_LABEL,
  KUBERNETES_ID_LABEL,
  OWNER_ANNOTATION,
} from './layout';
import { EnvironmentConfig, PlatformConfig } from './platform';
import { GitOpsFile, KubernetesObject, Kustomization } from './types';

/** The label that marks every object of a preview environment with its name. */
export const PREVIEW_LABEL = 'idp-portal/preview';
/** When the reaper removes a preview: an ISO time, on its Application, Namespace and objects. */
export const EXPIRES_ANNOTATION = 'idp-portal/expires-at';

/** `<service>--<preview>`: the preview's namespace and Application; no service name has `--`. */
export const previewNamespace = (service: string, preview: string) => `${service}--${preview}`;

export const previewPaths = {
  dir: (service: string, preview: string) => `apps/${service}/previews/${preview}`,
  file: (service: string, preview: string, file: string) =>
    `apps/${service}/previews/${preview}/${file}`,
  /** Under the preview cluster's environment, so its root app-of-apps picks it up. */
  application: (env: string, service: string, preview: string) =>
    `argocd/applications/${env}/previews/${previewNamespace(service, preview)}.yaml`,
  applicationsDir: (env: string) => `argocd/applications/${env}/previews`,
};

export type PreviewRequest = {
  service: string;
  preview: string;
  owner: string;
  /** The images entry name of the service's overlays, e.g. contoso.azurecr.io/orders-api. */
  image: string;
  tag: string;
  expiresAt: string;
};

/**
 * What is wrong with a preview name, in words; undefined when it is fine. It becomes part of a
 * namespace and an Application name, both DNS-1123 labels of at most 63 characters.
 */
export function previewNameProblem(service: string, preview: string): string | undefined {
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(preview)) {
    return `Preview name "${preview}" must be lowercase letters, digits and "-", start with a letter and end with a letter or digit (it is part of the namespace ${previewNamespace(service, preview)}).`;
  }
  if (preview.includes('--')) {
    return `Preview name "${preview}" must not contain "--", which separates the service from the preview.`;
  }
  const ns = previewNamespace(service, preview);
  if (ns.length > 63) {
    return `Preview name "${preview}" is too long: its namespace ${ns} would have ${ns.length} characters, and Kubernetes allows 63 (at most ${61 - service.length} for ${service}).`;
  }
  return undefined;
}

/** The overlay, Namespace and Argo CD Application of a preview of a service already in the repository. */
export function renderPreview(
  req: PreviewRequest,
  env: EnvironmentConfig,
  platform: PlatformConfig,
): GitOpsFile[] {
  const ns = previewNamespace(req.service, req.preview);
  // The service's own Namespace and Application (kubernetes.ts, argocd.ts), renamed for the preview.
  const service = { name: req.service, owner: req.owner };
  const ownNamespace = namespace(service, env.name);
  const previewNs: KubernetesObject = {
    ...ownNamespace,
    metadata: {
      ...ownNamespace.metadata,
      name: ns,
      labels: { ...ownNamespace.metadata.labels, [PREVIEW_LABEL]: req.preview },
      annotations: { ...ownNamespace.metadata.annotations, [EXPIRES_ANNOTATION]: req.expiresAt },
    },
  };
  const hpaPatch: KubernetesObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: req.service },
    spec: { minReplicas: 1 },
  };
  const kustomization: Kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: ns,
    resources: ['namespace.yaml', '../../base'],
    labels: [
      { pairs: { [ENVIRONMENT_LABEL]: env.name, [PREVIEW_LABEL]: req.preview }, includeSelectors: false },
    ],
    images: [{ name: req.image, newTag: req.tag }],
    patches: [{ path: 'hpa-patch.yaml' }],
    commonAnnotations: { [EXPIRES_ANNOTATION]: req.expiresAt },
  };
  const ownApplication = application(service, env, platform) as KubernetesObject & {
    spec: { source: object; destination: object };
  };
  const previewApplication: KubernetesObject = {
    ...ownApplication,
    metadata: {
      ...ownApplication.metadata,
      name: ns,
      labels: { ...ownApplication.metadata.labels, [PREVIEW_LABEL]: req.preview },
      annotations: { ...ownApplication.metadata.annotations, [EXPIRES_ANNOTATION]: req.expiresAt },
    },
    spec: {
      ...ownApplication.spec,
      source: { ...ownApplication.spec.source, path: previewPaths.dir(req.service, req.preview) },
      destination: { ...ownApplication.spec.destination, namespace: ns },
      revisionHistoryLimit: 3,
    },
  };
  const f = (file: string) => previewPaths.file(req.service, req.preview, file);
  return [
    { path: f('kustomization.yaml'), documents: [kustomization] },
    { path: f('namespace.yaml'), documents: [previewNs] },
    { path: f('hpa-patch.yaml'), documents: [hpaPatch] },
    { path: previewPaths.application(env.name, req.service, req.preview), documents: [previewApplication] },
  ];
}

/** A preview as the repository holds it, read from its Application. */
export type PreviewSummary = {
  service: string;
  preview: string;
  owner: string;
  expiresAt: string;
  namespace: string;
  applicationPath: string;
};

/** The preview an Application file describes; undefined for anything else. */
export function previewOfApplication(path: string, doc: any): PreviewSummary | undefined {
  const labels = doc?.metadata?.labels ?? {};
  const annotations = doc?.metadata?.annotations ?? {};
  if (doc?.kind !== 'Application' || !labels[PREVIEW_LABEL] || !labels[KUBERNETES_ID_LABEL]) {
    return undefined;
  }
  return {
    service: labels[KUBERNETES_ID_LABEL],
    preview: labels[PREVIEW_LABEL],
    owner: annotations[OWNER_ANNOTATION] ?? '',
    expiresAt: annotations[EXPIRES_ANNOTATION] ?? '',
    namespace: doc?.spec?.destination?.namespace ?? '',
    applicationPath: path,
  };
}

/** Where things live in the GitOps repository (docs/gitops-layout.md). */
export const gitopsPaths = {
  serviceRoot: (service: string) => `apps/${service}`,
  base: (service: string) => `apps/${service}/base`,
  baseFile: (service: string, file: string) => `apps/${service}/base/${file}`,
  overlay: (service: string, env: string) => `apps/${service}/overlays/${env}`,
  overlayFile: (service: string, env: string, file: string) =>
    `apps/${service}/overlays/${env}/${file}`,
  resourceFile: (service: string, env: string, kind: string, name: string) =>
    `apps/${service}/overlays/${env}/resources/${kind.toLowerCase()}-${name}.yaml`,
  application: (service: string, env: string) =>
    `argocd/applications/${env}/${service}.yaml`,
  project: (team: string) => `argocd/projects/${team}.yaml`,
};

/** The Crossplane kind of a catalog Resource a golden path registered (Database, Cache, …). */
export const CROSSPLANE_KIND_ANNOTATION = 'idp-portal/crossplane-kind';

export {
  OWNER_ANNOTATION,
  ENVIRONMENT_LABEL,
  KUBERNETES_ID_LABEL,
} from '@internal/plugin-platform-common';

export const ARGOCD_GROUP = 'argoproj.io';
const ARGOCD_VERSION = 'v1alpha1';
export const ARGOCD_API_VERSION = `${ARGOCD_GROUP}/${ARGOCD_VERSION}`;

/** The ArgoCD kinds the portal writes and reads, with the plural of their API path. */
export const ARGOCD_KINDS = {
  Application: { kind: 'Application', plural: 'applications' },
  AppProject: { kind: 'AppProject', plural: 'appprojects' },
} as const;

/** An environment's Application of a service is named `<service>-<env>`. */
export function applicationName(service: string, environment: string): string {
  return `${service}-${environment}`;
}

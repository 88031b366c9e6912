/**
 * Label on every workload object and Crossplane resource of a component, and the annotation
 * of its catalog entity: Backstage's Kubernetes plugin selects by the same key.
 */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';
export const KUBERNETES_ID_ANNOTATION = KUBERNETES_ID_LABEL;

/** Backstage's Kubernetes plugin reads the same annotation to narrow its queries. */
export const KUBERNETES_NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

/** The environment an object belongs to, on Applications and Crossplane resources. */
export const ENVIRONMENT_LABEL = 'idp-portal/environment';

/** Names the owning catalog entity, on the base kustomization and ArgoCD Applications. */
export const OWNER_ANNOTATION = 'idp-portal/owner';

/**
 * The header Backstage's Kubernetes frontend sends the user's Microsoft token in, for
 * clusters with `authProvider: aks`; the health plugin reads the same one.
 */
export const AKS_TOKEN_HEADER = 'Backstage-Kubernetes-Authorization-aks';

/** The scope of the AKS AAD server application, the same for every AKS cluster with Entra ID. */
export const AKS_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';

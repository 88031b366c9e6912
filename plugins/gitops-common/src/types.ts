/** The slice of Kubernetes object metadata we set. Shapes are checked against the real schemas in tests. */
export type ObjectMeta = {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
};

export type KubernetesObject = {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
};

export type Kustomization = {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  namespace?: string;
  resources: string[];
  commonAnnotations?: Record<string, string>;
  labels?: Array<{ pairs: Record<string, string>; includeSelectors?: boolean }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  patches?: Array<{ path: string }>;
};

/** One file of the GitOps repository, as documents to be serialised. */
export type GitOpsFile = {
  path: string;
  documents: object[];
  /** Written only when absent: the file belongs to the platform team once it exists. */
  createOnly?: boolean;
};

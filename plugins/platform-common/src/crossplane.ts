/** The API group of the portal's own Crossplane composite resources (platform/crossplane). */
export const CROSSPLANE_GROUP = 'platform.idp-portal.io';
const CROSSPLANE_VERSION = 'v1alpha1';
export const CROSSPLANE_API_VERSION = `${CROSSPLANE_GROUP}/${CROSSPLANE_VERSION}`;

/** Self-service cloud resources: one Crossplane composite kind each, with its API plural. */
export const CROSSPLANE_KINDS = [
  { kind: 'Database', plural: 'databases' },
  { kind: 'Cache', plural: 'caches' },
  { kind: 'Queue', plural: 'queues' },
  { kind: 'DocumentDatabase', plural: 'documentdatabases' },
] as const;

export type ResourceKind = (typeof CROSSPLANE_KINDS)[number]['kind'];

export const RESOURCE_KINDS = CROSSPLANE_KINDS.map(k => k.kind) as [
  ResourceKind,
  ...ResourceKind[],
];

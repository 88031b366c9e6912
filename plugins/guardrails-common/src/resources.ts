import {
  ARGOCD_API_VERSION,
  ARGOCD_KINDS,
  CROSSPLANE_API_VERSION,
  CROSSPLANE_KINDS,
} from '@internal/plugin-platform-common';
import { KUBERNETES_RESOURCES } from './kubernetesResources';

/**
 * The API group of the evaluator's own ManifestSet: the objects of one namespace about to be
 * committed together, for rules that look at several objects (checked before commit only).
 */
export const GUARDRAILS_GROUP = 'guardrails.idp-portal.io';
export const MANIFEST_SET_API_VERSION = `${GUARDRAILS_GROUP}/v1alpha1`;
export const MANIFEST_SET_KIND = 'ManifestSet';

/** A kind as admission sees it: the resource a policy's rules name, and its scope. */
export type ResourceKind = {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
};

/** Built-in kinds, the platform's own (Crossplane, Argo CD) and the ManifestSet. */
export function defaultResourceKinds(): ResourceKind[] {
  return [
    ...Object.entries(KUBERNETES_RESOURCES).map(([key, r]) => {
      const slash = key.lastIndexOf('/');
      return {
        apiVersion: key.slice(0, slash),
        kind: key.slice(slash + 1),
        ...r,
      };
    }),
    ...CROSSPLANE_KINDS.map(k => ({
      apiVersion: CROSSPLANE_API_VERSION,
      kind: k.kind,
      plural: k.plural,
      namespaced: true,
    })),
    ...Object.values(ARGOCD_KINDS).map(k => ({
      apiVersion: ARGOCD_API_VERSION,
      kind: k.kind,
      plural: k.plural,
      namespaced: true,
    })),
    {
      apiVersion: MANIFEST_SET_API_VERSION,
      kind: MANIFEST_SET_KIND,
      plural: 'manifestsets',
      namespaced: true,
    },
  ];
}

export function splitApiVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : {
        group: apiVersion.slice(0, slash),
        version: apiVersion.slice(slash + 1),
      };
}

export class ResourceKinds {
  private readonly byKey = new Map<string, ResourceKind>();

  constructor(kinds: ResourceKind[]) {
    for (const k of kinds) this.byKey.set(`${k.apiVersion}/${k.kind}`, k);
  }

  find(obj: { apiVersion: string; kind: string }): ResourceKind | undefined {
    return this.byKey.get(`${obj.apiVersion}/${obj.kind}`);
  }
}

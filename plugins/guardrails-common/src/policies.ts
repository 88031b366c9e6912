import { parseAllDocuments } from 'yaml';
import {
  KubeObject,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from './types';

const ADMISSION_API_VERSION = 'admissionregistration.k8s.io/v1';

/** The policies, their bindings and the objects they may take as params, from one folder. */
export type PolicySet = {
  policies: ValidatingAdmissionPolicy[];
  bindings: ValidatingAdmissionPolicyBinding[];
  /** Every other object of the files (ConfigMaps a paramRef may name, Namespaces, …). */
  objects: KubeObject[];
};

export type PolicyFile = { path: string; text: string };

/**
 * Reads policy files (YAML, several documents each) as a cluster would get them from
 * `kubectl apply -f`. A kustomization.yaml is skipped; it lists files, it is not applied.
 */
export function parsePolicyFiles(files: PolicyFile[]): PolicySet {
  const set: PolicySet = { policies: [], bindings: [], objects: [] };
  for (const file of files) {
    for (const doc of parseAllDocuments(file.text)) {
      if (doc.errors.length > 0) {
        throw new Error(`${file.path}: ${doc.errors[0].message}`);
      }
      const obj = doc.toJS() as KubeObject | null;
      if (!obj) continue;
      if (obj.kind === 'Kustomization') continue;
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
        throw new Error(
          `${file.path}: a document without apiVersion, kind and metadata.name`,
        );
      }
      if (
        obj.kind === 'ValidatingAdmissionPolicy' ||
        obj.kind === 'ValidatingAdmissionPolicyBinding'
      ) {
        if (obj.apiVersion !== ADMISSION_API_VERSION) {
          throw new Error(
            `${file.path}: ${obj.kind} ${obj.metadata.name} is ${obj.apiVersion}; the evaluator reads ${ADMISSION_API_VERSION}`,
          );
        }
      }
      if (obj.kind === 'ValidatingAdmissionPolicy') {
        set.policies.push(obj as unknown as ValidatingAdmissionPolicy);
      } else if (obj.kind === 'ValidatingAdmissionPolicyBinding') {
        set.bindings.push(obj as unknown as ValidatingAdmissionPolicyBinding);
      } else {
        set.objects.push(obj);
      }
    }
  }
  const names = new Set(set.policies.map(p => p.metadata.name));
  for (const b of set.bindings) {
    if (!names.has(b.spec.policyName)) {
      throw new Error(
        `ValidatingAdmissionPolicyBinding ${b.metadata.name} binds ${b.spec.policyName}, which none of the files defines`,
      );
    }
  }
  return set;
}

/** Several sets as one, for the cluster's policies and the before-commit ones together. */
export function mergePolicySets(...sets: PolicySet[]): PolicySet {
  return {
    policies: sets.flatMap(s => s.policies),
    bindings: sets.flatMap(s => s.bindings),
    objects: sets.flatMap(s => s.objects),
  };
}

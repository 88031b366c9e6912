import { resolvePackagePath } from '@backstage/backend-plugin-api';
import Ajv, { ValidateFunction } from 'ajv';
import fs from 'fs';
import path from 'path';
import { CROSSPLANE_GROUP } from '@internal/plugin-gitops-common';
import { parseAllDocuments } from 'yaml';

type Doc = { apiVersion?: string; kind?: string; [k: string]: unknown };

/** Built-in kinds and the schema file of each, from schemas/kubernetes. */
const KUBERNETES_SCHEMAS: Record<string, string> = {
  'v1/Namespace': 'namespace-v1.json',
  'v1/ServiceAccount': 'serviceaccount-v1.json',
  'v1/Service': 'service-v1.json',
  'v1/Secret': 'secret-v1.json',
  'v1/ConfigMap': 'configmap-v1.json',
  'apps/v1/Deployment': 'deployment-apps-v1.json',
  'autoscaling/v2/HorizontalPodAutoscaler':
    'horizontalpodautoscaler-autoscaling-v2.json',
  'policy/v1/PodDisruptionBudget': 'poddisruptionbudget-policy-v1.json',
  'networking.k8s.io/v1/NetworkPolicy': 'networkpolicy-networking-v1.json',
  'networking.k8s.io/v1/Ingress': 'ingress-networking-v1.json',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'clusterrole-rbac-v1.json',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding':
    'clusterrolebinding-rbac-v1.json',
};

const CRD_FILES = [
  'argocd/application-crd.yaml',
  'argocd/appproject-crd.yaml',
  'crossplane/apiextensions.crossplane.io_compositeresourcedefinitions.yaml',
  'crossplane/apiextensions.crossplane.io_compositions.yaml',
];

/** Kinds with no published schema that we still write; checked by unit tests instead. */
const UNCHECKED = new Set(['kustomize.config.k8s.io/v1beta1/Kustomization']);

function defaultSchemasDirectory(): string {
  return resolvePackagePath(
    '@internal/plugin-scaffolder-backend-module-gitops',
    'schemas',
  );
}

/**
 * Checks documents against the real Kubernetes JSON schemas, the ArgoCD and
 * Crossplane CRDs, and the XRDs of the platform, so that nothing malformed is
 * ever committed.
 */
export class ManifestValidator {
  private readonly ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateSchema: false,
    logger: false,
  });
  private readonly schemas = new Map<string, object>();
  private readonly compiled = new Map<string, ValidateFunction>();

  static fromDirectory(dir: string = defaultSchemasDirectory()) {
    const validator = new ManifestValidator();
    for (const [key, file] of Object.entries(KUBERNETES_SCHEMAS)) {
      validator.schemas.set(
        key,
        JSON.parse(fs.readFileSync(path.join(dir, 'kubernetes', file), 'utf8')),
      );
    }
    for (const file of CRD_FILES) {
      for (const crd of readYamlDocuments(path.join(dir, file))) {
        validator.addCustomResourceDefinition(crd);
      }
    }
    return validator;
  }

  /** Registers every served version of a CustomResourceDefinition. */
  addCustomResourceDefinition(crd: any) {
    const group = crd.spec.group;
    for (const version of crd.spec.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (schema) {
        this.schemas.set(`${group}/${version.name}/${crd.spec.names.kind}`, schema);
      }
    }
  }

  /**
   * Registers the composite (and claim) kinds of a Crossplane XRD; their schema
   * describes `spec`, so documents are checked on that part.
   */
  addCompositeResourceDefinition(xrd: any) {
    const group = xrd.spec.group;
    for (const version of xrd.spec.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) continue;
      const wrapped = {
        type: 'object',
        required: ['apiVersion', 'kind', 'metadata', 'spec'],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { type: 'object', required: ['name'] },
          spec: schema.properties?.spec ?? { type: 'object' },
        },
      };
      for (const kind of [xrd.spec.names.kind, xrd.spec.claimNames?.kind]) {
        if (kind) this.schemas.set(`${group}/${version.name}/${kind}`, wrapped);
      }
    }
  }

  /** Problems with one document, empty when it is valid. */
  validate(doc: Doc): string[] {
    const key = `${doc.apiVersion}/${doc.kind}`;
    if (UNCHECKED.has(key)) return [];
    // Our Crossplane kinds are defined by platform/crossplane, which the platform team may
    // change; they are checked against those XRDs when registered (tests do), else by shape.
    if (
      !this.schemas.has(key) &&
      String(doc.apiVersion).startsWith(`${CROSSPLANE_GROUP}/`)
    ) {
      return typeof (doc as any).spec?.size === 'string'
        ? []
        : [`${key} has no spec.size`];
    }
    let validate = this.compiled.get(key);
    if (!validate) {
      const schema = this.schemas.get(key);
      if (!schema) return [`no schema known for ${key}`];
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    if (validate(doc)) return [];
    return (validate.errors ?? []).map(
      e => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${(e.params as any).additionalProperty})` : ''}`,
    );
  }

  /** Problems across files, each prefixed with the file and document. */
  validateFiles(files: Array<{ path: string; documents: object[] }>): string[] {
    const problems: string[] = [];
    for (const file of files) {
      // Kustomize patches are partial objects by design.
      if (file.path.endsWith('-patch.yaml')) continue;
      file.documents.forEach((doc, i) => {
        for (const problem of this.validate(doc as Doc)) {
          const d = doc as Doc;
          problems.push(`${file.path} [${i}] ${d.kind}: ${problem}`);
        }
      });
    }
    return problems;
  }
}

export function readYamlDocuments(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS())
    .filter(Boolean);
}

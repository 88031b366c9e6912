import Ajv, { ValidateFunction } from 'ajv';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { defaultPlatformConfig } from '@internal/plugin-gitops-common';
import { parsePolicyFiles } from './policies';
import {
  beforeCommitDir,
  policiesDir,
  readObjects,
  readPolicyDir,
  repoRoot,
  yamlFiles,
} from './__testUtils__/fixtures';
import { KubeObject, ValidatingAdmissionPolicy } from './types';

// The Kubernetes 1.36 definitions, made strict the way kubeconform's schemas are: an object
// with declared properties takes no other, so a misspelt or invented field fails here, as
// `kubectl apply --validate=strict` would.
const schemaFile = path.resolve(
  __dirname,
  '../schemas/kubernetes-1.36-admission.json',
);
type Schema = Record<string, any>;

function strictify(schema: Schema) {
  if (
    typeof schema !== 'object' ||
    schema === null ||
    schema['x-kubernetes-preserve-unknown-fields']
  )
    return;
  if (schema.properties) {
    Object.values<Schema>(schema.properties).forEach(strictify);
    schema.additionalProperties ??= false;
  }
  if (typeof schema.additionalProperties === 'object')
    strictify(schema.additionalProperties);
  if (schema.items) strictify(schema.items);
}

function kubernetesValidators(): Map<string, ValidateFunction> {
  const { definitions, roots } = JSON.parse(
    fs.readFileSync(schemaFile, 'utf8'),
  );
  Object.values<Schema>(definitions).forEach(strictify);
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = {
    oneOf: [{ type: 'string' }, { type: 'integer' }],
  };
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
  });
  ajv.addSchema({ $id: 'k8s', definitions });
  const validators = new Map<string, ValidateFunction>();
  for (const root of roots as string[]) {
    for (const gvk of definitions[root]['x-kubernetes-group-version-kind']) {
      const apiVersion = gvk.group
        ? `${gvk.group}/${gvk.version}`
        : gvk.version;
      validators.set(
        `${apiVersion}/${gvk.kind}`,
        ajv.compile({ $ref: `k8s#/definitions/${root}` }),
      );
    }
  }
  return validators;
}

const validators = kubernetesValidators();
const shippedFiles = [
  ...yamlFiles(policiesDir),
  ...yamlFiles(beforeCommitDir),
].filter(f => path.basename(f) !== 'kustomization.yml');
const documents = shippedFiles.flatMap(file =>
  readObjects(file).map(doc => ({ file: path.relative(repoRoot, file), doc })),
);

describe('platform/policies', () => {
  it.each(
    documents.map(d => [
      `${d.file} ${d.doc.kind} ${d.doc.metadata.name}`,
      d.doc,
    ]),
  )('%s is valid, strictly, against Kubernetes 1.36', (_, doc) => {
    const validate = validators.get(`${doc.apiVersion}/${doc.kind}`);
    expect(validate).toBeDefined();
    const ok = validate!(doc);
    expect(validate!.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check refuses an unknown field', () => {
    const [policy] = readObjects(path.join(policiesDir, 'probes.yml'));
    const validate = validators.get(
      'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy',
    )!;
    const bad = structuredClone(policy) as any;
    bad.spec.validations[0].severity = 'high';
    expect(validate(bad)).toBe(false);
  });

  it('kustomization.yml lists every file of the folder, and none of before-commit/', () => {
    const kustomization = parse(
      fs.readFileSync(path.join(policiesDir, 'kustomization.yml'), 'utf8'),
    );
    const files = yamlFiles(policiesDir)
      .map(f => path.basename(f))
      .filter(f => f !== 'kustomization.yml');
    expect([...kustomization.resources].sort()).toEqual(files);
  });

  const set = parsePolicyFiles(
    shippedFiles.map(file => ({
      path: file,
      text: fs.readFileSync(file, 'utf8'),
    })),
  );
  const docs = fs.readFileSync(
    path.join(repoRoot, 'docs/guardrails.md'),
    'utf8',
  );

  it.each(set.policies.map(p => [p.metadata.name, p]))(
    '%s has a title, a section in docs/guardrails.md, a binding, and a message for every validation',
    (name, policy: ValidatingAdmissionPolicy) => {
      expect(policy.metadata.annotations?.['idp-portal/title']).toEqual(
        expect.any(String),
      );
      expect(policy.metadata.annotations?.['idp-portal/docs']).toBe(
        `docs/guardrails.md#${name}`,
      );
      expect(docs).toContain(`<a id="${name}"></a>`);
      expect(
        set.bindings.filter(b => b.spec.policyName === name).length,
      ).toBeGreaterThan(0);
      for (const v of policy.spec.validations ?? [])
        expect(v.message).toEqual(expect.any(String));
    },
  );

  it('binds policies that read params to the guardrails ConfigMap, and denies when it is missing', () => {
    for (const policy of set.policies.filter(p => p.spec.paramKind)) {
      for (const b of set.bindings.filter(
        x => x.spec.policyName === policy.metadata.name,
      )) {
        expect(b.spec.paramRef).toEqual({
          name: 'guardrails',
          namespace: 'idp-guardrails',
          parameterNotFoundAction: 'Deny',
        });
      }
    }
  });

  it('ships the ACR the portal renders images from by default', () => {
    const [params] = readPolicyDir(policiesDir).objects.filter(
      o => o.kind === 'ConfigMap',
    ) as Array<KubeObject & { data: Record<string, string> }>;
    expect(params.data.acrLoginServer).toBe(
      defaultPlatformConfig({
        gitopsRepoUrl: 'https://example.invalid/gitops.git',
      }).acrLoginServer,
    );
  });

  it('exempts exactly the root app-of-apps of platform/argocd/root from the team-project rule', () => {
    const roots = yamlFiles(
      path.join(repoRoot, 'platform/argocd/root'),
    ).flatMap(readObjects);
    const policy = set.policies.find(
      p => p.metadata.name === 'guardrails-application-team-project',
    )!;
    const condition = policy.spec.matchConditions!.find(
      c => c.name === 'not-a-root-app-of-apps',
    )!;
    const names = [
      ...condition.expression.matchAll(/'(gitops-root-[a-z0-9-]+)'/g),
    ].map(m => m[1]);
    expect(names.sort()).toEqual(roots.map(r => r.metadata.name).sort());
    for (const root of roots)
      expect((root as any).spec.project).toBe('default');
  });
});

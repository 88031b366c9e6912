import { isExemptable } from '@internal/plugin-guardrails-common';
import { SERVICE_CHECK_INPUT_EXPRESSIONS, serviceRequestFromForm } from '@internal/plugin-gitops-common';
import { loadGuardrails } from '@internal/plugin-guardrails-node';
import { MIN_JUSTIFICATION_LENGTH } from '@internal/plugin-platform-common';
import Ajv from 'ajv';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';

// Every golden path in templates/ is checked here; adding one needs no code change.
const templatesDir = path.resolve(__dirname, '../../../templates');
const schemasDir = path.resolve(__dirname, '../schemas/backstage');
const names = fs
  .readdirSync(templatesDir)
  .filter(d => fs.existsSync(path.join(templatesDir, d, 'template.yaml')));

function templateValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  for (const file of ['EntityEnvelope', 'EntityMeta', 'Entity', 'shared/common']) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(schemasDir, `${file}.schema.json`), 'utf8')));
  }
  return ajv.compile(
    JSON.parse(fs.readFileSync(path.join(schemasDir, 'Template.v1beta3.schema.json'), 'utf8')),
  );
}

const OUR_ACTIONS = ['gitops:catalog:register', 'gitops:catalog:wait', 'gitops:service:check', 'gitops:service:publish', 'gitops:repo:publish', 'gitops:resource:publish', 'gitops:promote', 'gitops:rollback', 'gitops:preview:create', 'gitops:preview:extend', 'gitops:preview:delete', 'gitops:rollout:follow'];
const BUILT_IN = ['fetch:template', 'catalog:fetch', 'debug:log'];

describe('golden-path templates', () => {
  const validate = templateValidator();

  it('has a validator that can say no', () => {
    expect(
      validate({ apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 'x' }, spec: {} }),
    ).toBe(false);
  });

  it('finds the golden paths', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'nodejs-service', 'python-worker', 'react-frontend', 'grpc-service',
        'postgres-database', 'redis-cache', 'servicebus-queue',
        'promote-service', 'rollback-service', 'preview-environment',
      ]),
    );
  });

  describe.each(names)('%s', name => {
    const template = parse(fs.readFileSync(path.join(templatesDir, name, 'template.yaml'), 'utf8'));
    const pages: any[] = Array.isArray(template.spec.parameters)
      ? template.spec.parameters
      : [template.spec.parameters];
    const properties: Record<string, any> = Object.assign({}, ...pages.map(p => p.properties));

    it('matches the Template v1beta3 schema and is named after its folder', () => {
      const ok = validate(template);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
      expect(template.metadata.name).toBe(name);
    });

    it('gives every field a title and a description', () => {
      for (const [key, field] of Object.entries(properties)) {
        expect({ key, title: typeof field.title, description: typeof field.description })
          .toEqual({ key, title: 'string', description: 'string' });
      }
    });

    // Day-2 operations (promote, roll back) name no new object.
    if (properties.name) it('asks for the name with the GitOpsName field, which checks it as the actions do', () => {
      const field = properties.name;
      expect(field['ui:field']).toBe('GitOpsName');
      const attach = template.spec.steps.find((s: any) => s.action === 'gitops:resource:publish');
      const options = attach ? { role: 'resource', kind: attach.input.resource.kind } : undefined;
      expect(field['ui:options']).toEqual(options);
      // A JSON Schema pattern would speak first, as a regular expression, and check less.
      expect(field.pattern).toBeUndefined();
    });

    it('uses only actions the portal has, checking before its first side effect', () => {
      const actions = template.spec.steps.map((s: any) => s.action);
      for (const action of actions) {
        expect([...OUR_ACTIONS, ...BUILT_IN]).toContain(action);
      }
      const firstSideEffect = actions.findIndex((a: string) =>
        ['gitops:repo:publish', 'gitops:service:publish', 'gitops:resource:publish', 'gitops:promote', 'gitops:rollback', 'gitops:preview:create', 'gitops:preview:extend', 'gitops:preview:delete', 'gitops:catalog:register'].includes(a),
      );
      const check = actions.findIndex((a: string) => a === 'gitops:service:check' || a === 'catalog:fetch');
      expect(check).toBeGreaterThanOrEqual(0);
      expect(check).toBeLessThan(firstSideEffect);
    });

    const check = template.spec.steps.find((s: any) => s.action === 'gitops:service:check');
    if (check) it('offers exemptions from exactly the rules platform/policies lets be exempted', () => {
      const { set } = loadGuardrails();
      const exemptable = set.policies.filter(isExemptable).map(p => p.metadata.name).sort();
      expect(properties.exemptions.items.properties.policy.enum).toEqual(exemptable);
      expect(properties.exemptions.items.properties.justification.minLength).toBe(MIN_JUSTIFICATION_LENGTH);
      const publish = template.spec.steps.find((s: any) => s.action === 'gitops:service:publish');
      for (const step of [check, publish]) {
        expect(step.input.exemptions).toBe('${{ parameters.exemptions }}');
      }
    });

    if (check) it('previews on its last page exactly what the check step will be asked', () => {
      const last = pages[pages.length - 1];
      expect(last.properties.preview['ui:field']).toBe('GitOpsPreview');
      expect(last.properties.preview['ui:options']).toEqual({ serviceType: check.input.type });
      // The preview builds the check input with serviceRequestFromForm: same keys, same meaning.
      const form = Object.fromEntries(Object.keys(properties).map(k => [k, k]));
      const built = Object.keys(serviceRequestFromForm(form, check.input.type)).sort();
      expect(Object.keys(check.input).sort()).toEqual(built);
      const expressions = Object.entries(check.input).filter(([key]) => key !== 'type');
      for (const [key, value] of expressions) {
        expect({ key, value }).toEqual({ key, value: SERVICE_CHECK_INPUT_EXPRESSIONS[key] });
      }
    });

    it('links the repository or resource, the GitOps commit and the catalog entity', () => {
      const titles = template.spec.output.links.map((l: any) => l.title);
      expect(titles).toEqual(expect.arrayContaining(['GitOps commit', 'Open in catalog']));
    });

    const fetch = template.spec.steps.find((s: any) => s.action === 'fetch:template');
    if (fetch) it('has a skeleton with code, a test, a Dockerfile, CI and docs', () => {
      const skeleton = path.join(templatesDir, name, fetch.input.url);
      for (const file of ['Dockerfile', 'catalog-info.yaml', 'mkdocs.yml', 'docs/index.md', '.github/workflows/ci.yaml', 'azure-pipelines.yml']) {
        expect({ file, exists: fs.existsSync(path.join(skeleton, file)) }).toEqual({ file, exists: true });
      }
      expect(fetch.input.copyWithoutTemplating).toEqual(['.github/workflows/*', 'azure-pipelines.yml']);
      const catalogInfo = fs.readFileSync(path.join(skeleton, 'catalog-info.yaml'), 'utf8');
      for (const annotation of ['backstage.io/kubernetes-id', 'argocd/app-selector', 'azure.com/tag-selector', 'backstage.io/source-template', 'backstage.io/techdocs-ref']) {
        expect(catalogInfo).toContain(annotation);
      }
    });
  });
});

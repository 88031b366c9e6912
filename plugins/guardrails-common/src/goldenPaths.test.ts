import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import {
  defaultPlatformConfig,
  renderService,
  serviceRequestSchema,
} from '@internal/plugin-gitops-common';
import { GuardrailEvaluator } from './evaluate';
import { ManifestAssembler } from './kustomize';
import { blocking } from './results';
import { platformPolicies, repoRoot } from './__testUtils__/fixtures';
import { GuardrailResult } from './types';

// What the four service golden paths commit, assembled per environment as Argo CD applies it
// (kustomize build of each overlay; the Applications and the AppProject as they are), against
// every shipped rule.

const SERVICE_TEMPLATES = [
  'grpc-service',
  'nodejs-service',
  'python-worker',
  'react-frontend',
];
const evaluator = new GuardrailEvaluator(platformPolicies());
// Argo CD's namespace, as its Helm chart creates it (platform/README.md): no environment label.
const argocdNamespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'argocd' },
};

/** The request a template's gitops:service:publish step sends, with the form's defaults. */
function templateRequest(template: string, answers: Record<string, unknown>) {
  const doc = parse(
    fs.readFileSync(
      path.join(repoRoot, 'templates', template, 'template.yaml'),
      'utf8',
    ),
  );
  const pages: any[] = [doc.spec.parameters].flat();
  const properties: Record<string, any> = Object.assign(
    {},
    ...pages.map(p => p.properties),
  );
  const defaults = Object.fromEntries(
    Object.entries(properties)
      .filter(([, p]) => 'default' in p)
      .map(([k, p]) => [k, p.default]),
  );
  const form: Record<string, any> = {
    ...defaults,
    name: 'shop',
    owner: 'group:default/payments-team',
    ...answers,
  };
  const publish = doc.spec.steps.find(
    (s: any) => s.action === 'gitops:service:publish',
  );
  return serviceRequestSchema.parse({
    name: form.name,
    owner: form.owner,
    type: publish.input.type,
    port: form.port,
    size: form.size,
    ingressHost: publish.input.ingressHost ? form.ingressHost : undefined,
    imageTag: form.imageTag,
    // The template's own expression: a Database named <name>-db of the form's size.
    resources: form.database
      ? [{ kind: 'Database', name: `${form.name}-db`, size: form.size }]
      : [],
  });
}

function evaluateRender(
  template: string,
  answers: Record<string, unknown>,
  crossplane: 'v1' | 'v2' = 'v2',
) {
  const platform = defaultPlatformConfig({
    gitopsRepoUrl: 'https://github.com/contoso/gitops.git',
    crossplaneApiVersion: crossplane,
  });
  const files = renderService(templateRequest(template, answers), platform);
  return new ManifestAssembler(files)
    .groups()
    .flatMap(g =>
      evaluator
        .evaluate(g.objects, { namespaces: [argocdNamespace] })
        .map(r => ({ ...r, source: g.source })),
    );
}

const show = (r: GuardrailResult) =>
  `${r.rule} ${r.status}: ${r.object.kind} ${r.object.namespace ?? ''}/${
    r.object.name
  }`;

describe.each(SERVICE_TEMPLATES)('the %s golden path', template => {
  const variants: Array<[string, Record<string, unknown>, 'v1' | 'v2']> = [
    ['as the form suggests', {}, 'v2'],
    [
      'with a database and a host name',
      { database: true, ingressHost: 'shop.contoso.example' },
      'v2',
    ],
    [
      'medium, with a database, on Crossplane 1.x',
      { database: true, size: 'medium' },
      'v1',
    ],
  ];

  it.each(variants)(
    '%s, with a released image, passes every rule in every environment',
    (_, answers, crossplane) => {
      const results = evaluateRender(
        template,
        { ...answers, imageTag: '3f9a1c2b' },
        crossplane,
      );
      expect(results.filter(r => r.status !== 'passed').map(show)).toEqual([]);
      // Each environment's overlay was built and its workload looked at; prod also as a whole.
      for (const env of ['dev', 'staging', 'prod']) {
        const overlay = results.filter(
          r => r.source === `apps/shop/overlays/${env}`,
        );
        expect(
          overlay
            .filter(r => r.object.kind === 'Deployment')
            .map(r => r.policy),
        ).toEqual(
          expect.arrayContaining([
            'guardrails-container-security',
            'guardrails-images-from-acr',
            'guardrails-required-labels',
          ]),
        );
        expect(
          overlay.some(r => r.policy === 'guardrails-prod-availability'),
        ).toBe(env === 'prod');
        expect(
          results.some(
            r =>
              r.object.kind === 'Application' &&
              r.object.name === `shop-${env}`,
          ),
        ).toBe(true);
      }
    },
  );

  it("as first committed, with the tag latest, only warns, on each environment's Deployment", () => {
    const results = evaluateRender(template, {});
    expect(blocking(results)).toEqual([]);
    expect(results.filter(r => r.status === 'not-checked').map(show)).toEqual(
      [],
    );
    const failed = results.filter(r => r.status === 'failed');
    expect(failed.map(r => [r.rule, r.actions, r.object.kind])).toEqual(
      Array(3).fill([
        'guardrails-image-tag-not-latest[0]',
        ['Warn', 'Audit'],
        'Deployment',
      ]),
    );
  });

  it('with size large and a database, is refused in dev and staging, which do not allow a large database', () => {
    const results = evaluateRender(template, {
      database: true,
      size: 'large',
      imageTag: '3f9a1c2b',
    });
    const refused = blocking(results);
    expect(refused.map(r => [r.rule, r.object.kind, r.message])).toEqual([
      [
        'guardrails-crossplane-sizes[0]',
        'Database',
        'Database shop-db asks for size large, which dev does not allow; use small or medium.',
      ],
      [
        'guardrails-crossplane-sizes[0]',
        'Database',
        'Database shop-db asks for size large, which staging does not allow; use small or medium.',
      ],
    ]);
  });
});

describe('the rules the golden paths meet', () => {
  it('are all the shipped rules but the prod database one, whose FlexibleServer only Crossplane writes', () => {
    const applied = new Set(
      SERVICE_TEMPLATES.flatMap(t => [
        ...evaluateRender(t, {
          database: true,
          ingressHost: 'shop.contoso.example',
        }),
      ]).map(r => r.policy),
    );
    const all = platformPolicies().policies.map(p => p.metadata.name);
    expect(all.filter(p => !applied.has(p))).toEqual([
      'guardrails-prod-database-protection',
    ]);
  });
});

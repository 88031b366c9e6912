import path from 'path';
import { GuardrailEvaluator } from './evaluate';
import { blocking, summarize } from './results';
import {
  fixtureNamespaces,
  fixturesDir,
  platformPolicies,
  readObjects,
  readPolicyDir,
} from './__testUtils__/fixtures';
import { KubeObject } from './types';

const testPolicies = path.join(fixturesDir, 'test-policies');

const deployment = (
  overrides: Partial<KubeObject['metadata']> = {},
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'team-a', ...overrides },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'contoso.azurecr.io/web:1',
            resources: { limits: { memory: '2Gi' } },
          },
        ],
      },
    },
  },
});
const namespace = (
  name: string,
  labels: Record<string, string>,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

describe('a rule that uses CEL the evaluator does not implement', () => {
  const evaluator = new GuardrailEvaluator(readPolicyDir(testPolicies));
  const results = evaluator
    .evaluate([deployment()])
    .filter(r => r.policy === 'test-unsupported');

  it('is reported as not checked, never as passed or failed', () => {
    expect(results.map(r => [r.validation, r.status])).toEqual([
      [0, 'not-checked'],
      [1, 'not-checked'],
      [2, 'not-checked'],
      [3, 'not-checked'],
      [4, 'not-checked'],
      [5, 'not-checked'],
      [6, 'passed'],
    ]);
  });

  it('says what is missing', () => {
    const messages = results.map(r => r.message);
    expect(messages[0]).toMatch(
      /uses the function isLessThan\(\), the function quantity\(\)/,
    );
    expect(messages[1]).toMatch(/the function find\(\)/);
    expect(messages[2]).toMatch(/the variable authorizer/);
    expect(messages[3]).toMatch(/optional syntax/);
    expect(messages[4]).toMatch(/indexOf/);
    expect(messages[5]).toMatch(/request\.userInfo/);
  });

  it('does not stop a commit, and is counted apart', () => {
    expect(blocking(results)).toEqual([]);
    expect(summarize(results).map(s => [s.rule, s.counts])).toEqual(
      results.map(r => [
        r.rule,
        { passed: 0, failed: 0, exempted: 0, 'not-checked': 0, [r.status]: 1 },
      ]),
    );
  });
});

describe('matching, params, match conditions, variables and messages', () => {
  const evaluator = new GuardrailEvaluator(readPolicyDir(testPolicies));
  const namespaces = [
    namespace('team-a', { team: 'a' }),
    namespace('team-b', { team: 'b' }),
    namespace('team-c', { team: 'c' }),
  ];
  const run = (obj: KubeObject) =>
    evaluator
      .evaluate([obj], { namespaces })
      .filter(r => r.policy === 'test-semantics');
  const configMap = (
    name: string,
    ns: string,
    labels: Record<string, string> = {},
  ): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, labels },
  });

  it('evaluates variables before validations, with the params the binding names, and messageExpression', () => {
    const results = run(
      configMap('x', 'team-a', { 'test/value': 'red', 'test/missing': 'x' }),
    );
    expect(
      results.map(r => [r.binding, r.validation, r.status, r.message]),
    ).toEqual([
      [
        'test-semantics-a',
        0,
        'failed',
        'hello blue: label test/value must be blue',
      ],
      ['test-semantics-a', 1, 'passed', ''],
      ['test-semantics-a', 2, 'passed', ''],
    ]);
  });

  it('passes when the object matches the params', () => {
    const results = run(
      configMap('x', 'team-a', { 'test/value': 'blue', 'test/missing': 'x' }),
    );
    expect(results.map(r => r.status)).toEqual(['passed', 'passed', 'passed']);
  });

  it('falls back to the message when the messageExpression fails, and reports an evaluation error as the cluster would', () => {
    const results = run(
      configMap('broken', 'team-a', { 'test/value': 'blue' }),
    );
    expect(results[1]).toMatchObject({
      status: 'failed',
      message: 'the static message',
    });
    expect(results[2].status).toBe('failed');
    expect(results[2].message).toMatch(/fails to evaluate.*failurePolicy Fail/);
  });

  it('fails every rule of a binding whose params are missing and that denies then; skips one that allows', () => {
    const b = run(configMap('x', 'team-b', { 'test/value': 'blue' }));
    expect(b.map(r => [r.binding, r.status, r.actions])).toEqual([
      ['test-semantics-missing-params', 'failed', ['Warn']],
      ['test-semantics-missing-params', 'failed', ['Warn']],
      ['test-semantics-missing-params', 'failed', ['Warn']],
    ]);
    expect(b[0].message).toMatch(
      /ConfigMap test-params\/nowhere.*do not exist/,
    );
    expect(run(configMap('x', 'team-c'))).toEqual([]);
  });

  it("uses params given to evaluate() in place of the files' own", () => {
    const params = [
      { ...configMap('settings', 'test-params'), data: { wanted: 'green' } },
    ];
    const results = evaluator
      .evaluate(
        [
          configMap('x', 'team-a', {
            'test/value': 'green',
            'test/missing': 'x',
          }),
        ],
        { namespaces, params },
      )
      .filter(r => r.policy === 'test-semantics');
    expect(results.map(r => r.status)).toEqual(['passed', 'passed', 'passed']);
  });

  it('honours excludeResourceRules, scope, objectSelector and matchConditions', () => {
    expect(run({ ...configMap('x', 'team-a'), kind: 'Secret' })).toEqual([]);
    expect(run(namespace('team-z', { team: 'a' }))).toEqual([]); // cluster-scoped
    expect(run(deployment())).toEqual([]); // apps, not the core group
    expect(run(configMap('x', 'team-a', { 'test/skip': 'yes' }))).toEqual([]);
    expect(
      run({
        ...configMap('x', 'team-a'),
        metadata: {
          name: 'x',
          namespace: 'team-a',
          annotations: { 'test/ignore': '' },
        },
      }),
    ).toEqual([]);
  });

  it('says a rule is not checked when the namespace that decides whether it applies is unknown', () => {
    const results = run(configMap('x', 'elsewhere'));
    // Each of the three bindings selects namespaces by label.
    expect(results.map(r => r.status)).toEqual(Array(9).fill('not-checked'));
    expect(results[0].message).toMatch(
      /namespace elsewhere .* not among the objects evaluated/,
    );
  });

  it('says a rule is not checked for a kind whose resource it does not know', () => {
    const results = run({
      apiVersion: 'v1',
      kind: 'Gadget',
      metadata: { name: 'g', namespace: 'team-a' },
    });
    expect(results.map(r => r.status)).toEqual(Array(9).fill('not-checked'));
    expect(results[0].message).toMatch(
      /does not know the resource name of v1 Gadget/,
    );
  });
});

describe('the shipped rules', () => {
  const evaluator = new GuardrailEvaluator(platformPolicies());

  it('skip the root app-of-apps by its match condition, and only it', () => {
    const apps = readObjects(
      path.join(fixturesDir, 'passes/applications.yaml'),
    );
    const results = evaluator
      .evaluate(apps)
      .filter(r => r.policy === 'guardrails-application-team-project');
    expect([...new Set(results.map(r => r.object.name))]).toEqual([
      'shop-prod',
      'shop--pr-42',
    ]);
  });

  it('apply prod-only rules to prod namespaces only', () => {
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'shop', namespace: 'shop-dev' },
      spec: {
        minReplicas: 1,
        maxReplicas: 2,
        scaleTargetRef: { kind: 'Deployment', name: 'shop' },
      },
    };
    const namespaces = fixtureNamespaces();
    expect(evaluator.evaluate([hpa], { namespaces })).toEqual([]);
    const prod = evaluator.evaluate(
      [{ ...hpa, metadata: { name: 'shop', namespace: 'shop-prod' } }],
      { namespaces },
    );
    expect(prod.map(r => [r.rule, r.object.kind, r.status])).toEqual([
      ['guardrails-prod-min-replicas[0]', 'HorizontalPodAutoscaler', 'failed'],
      // No Deployment in the set, so nothing to hold to 2 replicas or a budget.
      ['guardrails-prod-availability[0]', 'ManifestSet', 'passed'],
      ['guardrails-prod-availability[1]', 'ManifestSet', 'passed'],
    ]);
  });

  it("group each namespace's objects into one ManifestSet for the rules over several objects", () => {
    const objects = readObjects(
      path.join(fixturesDir, 'passes/deployment-prod.yaml'),
    );
    const sets = evaluator
      .evaluate(objects, { namespaces: fixtureNamespaces() })
      .filter(r => r.object.kind === 'ManifestSet');
    expect(sets.map(r => [r.rule, r.object.name, r.status])).toEqual([
      ['guardrails-prod-availability[0]', 'shop-prod', 'passed'],
      ['guardrails-prod-availability[1]', 'shop-prod', 'passed'],
    ]);
  });

  it('treat whole numbers as CEL ints, as Kubernetes does', () => {
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'shop', namespace: 'shop-prod' },
      spec: {
        minReplicas: 2,
        maxReplicas: 2,
        scaleTargetRef: { kind: 'Deployment', name: 'shop' },
      },
    };
    const [result] = evaluator.evaluate([hpa], {
      namespaces: fixtureNamespaces(),
    });
    expect(result.status).toBe('passed');
  });
});

import { describeRules } from './rules';
import { componentsOf, rulesReport, ServiceEvaluation } from './report';
import { platformPolicies } from './__testUtils__/fixtures';
import { GuardrailResult, GuardrailStatus } from './types';

const result = (
  rule: string,
  status: GuardrailStatus,
  name = 'web',
): GuardrailResult => ({
  status,
  rule,
  policy: rule.replace(/\[\d+\]$/, ''),
  validation: 0,
  title: rule,
  binding: `${rule}-binding`,
  actions: ['Deny'],
  object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'orders', name },
  message: status === 'exempted' ? 'a justification of twenty chars' : 'fix it',
});

describe('describeRules', () => {
  const rules = describeRules(platformPolicies());

  it('lists every validation of every bound policy, with its title, message, actions and environments', () => {
    const minReplicas = rules.find(r => r.policy === 'guardrails-prod-min-replicas');
    expect(minReplicas).toMatchObject({
      rule: 'guardrails-prod-min-replicas[0]',
      title: 'In prod, autoscalers keep at least 2 replicas',
      actions: ['Deny'],
      environments: ['prod'],
      exemptable: true,
      docs: 'docs/guardrails.md#guardrails-prod-min-replicas',
    });
    expect(minReplicas!.message).not.toBe('');
    const labels = rules.find(r => r.policy === 'guardrails-required-labels');
    expect(labels).toMatchObject({ environments: 'all', exemptable: false });
  });

  it('names each rule once', () => {
    const names = rules.map(r => r.rule);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(13);
  });
});

describe('the report of a scan', () => {
  const evaluations: ServiceEvaluation[] = [
    {
      service: 'orders',
      environment: 'dev',
      results: [result('a[0]', 'passed'), result('b[0]', 'exempted')],
    },
    {
      service: 'orders',
      environment: 'prod',
      results: [result('a[0]', 'failed'), result('b[0]', 'exempted')],
    },
    {
      service: 'billing',
      environment: 'prod',
      results: [result('a[0]', 'passed'), result('b[0]', 'passed')],
    },
  ];

  it('gives each component its findings, failures first, without the passes', () => {
    const components = componentsOf(evaluations);
    expect(components.map(c => c.entityRef)).toEqual([
      'component:default/orders',
      'component:default/billing',
    ]);
    expect(components[0]).toMatchObject({
      environments: ['dev', 'prod'],
      counts: { passed: 1, failed: 1, exempted: 2, 'not-checked': 0 },
    });
    expect(components[0].findings.map(f => [f.environment, f.rule, f.status])).toEqual([
      ['dev', 'b[0]', 'exempted'],
      ['prod', 'a[0]', 'failed'],
      ['prod', 'b[0]', 'exempted'],
    ]);
    expect(components[1].findings).toEqual([]);
  });

  it('counts per rule the components that break it or are exempted, and the exemption rate', () => {
    const describe = (rule: string) => ({
      rule,
      policy: rule,
      validation: 0,
      title: rule,
      message: '',
      actions: ['Deny' as const],
      environments: 'all' as const,
      exemptable: true,
    });
    const [a, b, c] = rulesReport(
      [describe('a[0]'), describe('b[0]'), describe('c[0]')],
      evaluations,
    );
    expect(a).toMatchObject({ failingComponents: 1, exemptedComponents: 0, exemptionRate: 0 });
    expect(b).toMatchObject({ failingComponents: 0, exemptedComponents: 1 });
    expect(b.exemptionRate).toBeCloseTo(2 / 3);
    expect(c.exemptionRate).toBeNull();
  });
});

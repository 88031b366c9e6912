import { ENVIRONMENT_LABEL } from '@internal/plugin-platform-common';
import { isExemptable } from './evaluate';
import { PolicySet } from './policies';
import { LabelSelector, ValidationAction } from './types';

const TITLE_ANNOTATION = 'idp-portal/title';
const DOCS_ANNOTATION = 'idp-portal/docs';

/** One rule as the Guardrails page and a template's exemption list show it. */
export type RuleDescription = {
  /** `<policy>[<validation index>]` */
  rule: string;
  policy: string;
  validation: number;
  title: string;
  /** The validation's static message: what it asks for. */
  message: string;
  /** What the cluster does when it fails, per binding (usually one). */
  actions: ValidationAction[];
  /** The environments its bindings select by the environment label; 'all' when every one. */
  environments: string[] | 'all';
  /** Whether an object may be exempted with a written justification. */
  exemptable: boolean;
  docs?: string;
};

/** The environments a namespace selector picks by ENVIRONMENT_LABEL. */
function environmentsOf(selector: LabelSelector | undefined): string[] | 'all' {
  const exact = selector?.matchLabels?.[ENVIRONMENT_LABEL];
  if (exact) return [exact];
  const expr = selector?.matchExpressions?.find(
    e => e.key === ENVIRONMENT_LABEL,
  );
  if (expr?.operator === 'In') return expr.values ?? [];
  return 'all';
}

/** Every rule of the set that some binding enforces, in the order of the files. */
export function describeRules(set: PolicySet): RuleDescription[] {
  return set.policies.flatMap(policy => {
    const bindings = set.bindings.filter(
      b => b.spec.policyName === policy.metadata.name,
    );
    if (bindings.length === 0) return [];
    const envs = bindings.map(b =>
      environmentsOf(b.spec.matchResources?.namespaceSelector),
    );
    const environments = envs.includes('all')
      ? 'all'
      : [...new Set(envs.flat() as string[])];
    const actions = [
      ...new Set(bindings.flatMap(b => b.spec.validationActions)),
    ];
    return (policy.spec.validations ?? []).map((v, i) => ({
      rule: `${policy.metadata.name}[${i}]`,
      policy: policy.metadata.name,
      validation: i,
      title:
        policy.metadata.annotations?.[TITLE_ANNOTATION] ?? policy.metadata.name,
      message: v.message?.trim() ?? v.expression,
      actions,
      environments,
      exemptable: isExemptable(policy),
      ...(policy.metadata.annotations?.[DOCS_ANNOTATION]
        ? { docs: policy.metadata.annotations[DOCS_ANNOTATION] }
        : {}),
    }));
  });
}

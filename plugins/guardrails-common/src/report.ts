import { RuleDescription } from './rules';
import { GuardrailResult, GuardrailStatus } from './types';

/** What a scan of the GitOps repository found for one service in one environment. */
export type ServiceEvaluation = {
  service: string;
  environment: string;
  results: GuardrailResult[];
};

/** One rule an object of a component breaks, is exempted from, or could not be checked against. */
export type ComponentFinding = {
  environment: string;
  status: Exclude<GuardrailStatus, 'passed'>;
  rule: string;
  policy: string;
  title: string;
  actions: GuardrailResult['actions'];
  object: GuardrailResult['object'];
  /** What to change; for an exemption, its justification. */
  message: string;
};

export type ComponentGuardrails = {
  /** The catalog component the golden paths registered for the service. */
  entityRef: string;
  service: string;
  environments: string[];
  counts: Record<GuardrailStatus, number>;
  findings: ComponentFinding[];
};

export type RuleReport = RuleDescription & {
  /** Results over the components in the report, one per object the rule applied to. */
  counts: Record<GuardrailStatus, number>;
  /** Components with at least one object failing, or exempted from, this rule. */
  failingComponents: number;
  exemptedComponents: number;
  /** exempted / (passed + failed + exempted); null when the rule applied to nothing. */
  exemptionRate: number | null;
};

/** The last scan of the GitOps repository, as the Guardrails page and the entity card read it. */
export type ScanInfo = {
  repoUrl: string;
  branch: string;
  /** The commit scanned; absent before the first scan finished. */
  commit?: string;
  scannedAt?: string;
  /** Why the last scan failed; the findings are then those of `commit`. */
  error?: string;
  /** Services found in the repository, including ones the caller may not see. */
  services: number;
};

export type GuardrailsReport = {
  scan: ScanInfo;
  rules: RuleReport[];
  components: ComponentGuardrails[];
};

const zero = (): Record<GuardrailStatus, number> => ({
  passed: 0,
  failed: 0,
  exempted: 0,
  'not-checked': 0,
});

/** The component of the catalog that stands for a service of the GitOps repository. */
export const componentRefOf = (service: string) =>
  `component:default/${service}`;

/** Per component, its counts and every result that is not a pass; sorted by most failures. */
export function componentsOf(
  evaluations: ServiceEvaluation[],
): ComponentGuardrails[] {
  const byService = new Map<string, ComponentGuardrails>();
  for (const e of evaluations) {
    const c = byService.get(e.service) ?? {
      entityRef: componentRefOf(e.service),
      service: e.service,
      environments: [],
      counts: zero(),
      findings: [],
    };
    if (!c.environments.includes(e.environment)) c.environments.push(e.environment);
    for (const r of e.results) {
      c.counts[r.status] += 1;
      if (r.status === 'passed') continue;
      c.findings.push({
        environment: e.environment,
        status: r.status,
        rule: r.rule,
        policy: r.policy,
        title: r.title,
        actions: r.actions,
        object: r.object,
        message: r.message,
      });
    }
    byService.set(e.service, c);
  }
  return [...byService.values()].sort(
    (a, b) =>
      b.counts.failed - a.counts.failed || a.service.localeCompare(b.service),
  );
}

/** Each rule with its results over `components` and the rate at which they are exempted. */
export function rulesReport(
  rules: RuleDescription[],
  evaluations: ServiceEvaluation[],
): RuleReport[] {
  return rules.map(rule => {
    const counts = zero();
    const failing = new Set<string>();
    const exempted = new Set<string>();
    for (const e of evaluations) {
      for (const r of e.results) {
        if (r.rule !== rule.rule) continue;
        counts[r.status] += 1;
        if (r.status === 'failed') failing.add(e.service);
        if (r.status === 'exempted') exempted.add(e.service);
      }
    }
    const decided = counts.passed + counts.failed + counts.exempted;
    return {
      ...rule,
      counts,
      failingComponents: failing.size,
      exemptedComponents: exempted.size,
      exemptionRate: decided === 0 ? null : counts.exempted / decided,
    };
  });
}

/** GET /v1/entities/:kind/:namespace/:name: the component's findings, absent when the repository has no such service. */
export type EntityGuardrailsResponse = {
  scan: ScanInfo;
  component?: ComponentGuardrails;
};

/** One file a golden path would write to the GitOps repository, as the review shows it. */
export type PreviewFile = {
  path: string;
  content: string;
  /** Against the branch head: new, different, or already exactly this. */
  change: 'added' | 'modified' | 'unchanged';
};

/**
 * POST /api/scaffolder/gitops/v1/service-preview: what gitops:service:check would decide for
 * the form's values, without a side effect.
 */
export type ServicePreview = {
  service: string;
  files: PreviewFile[];
  results: GuardrailResult[];
  /** The check step's refusal when a rule the cluster denies fails; absent when it would pass. */
  refusal?: string;
};

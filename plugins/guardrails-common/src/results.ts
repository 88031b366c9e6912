import { GuardrailResult, GuardrailStatus } from './types';

/** The results that stop a commit: failed rules whose binding denies. */
export function blocking(results: GuardrailResult[]): GuardrailResult[] {
  return results.filter(
    r => r.status === 'failed' && r.actions.includes('Deny'),
  );
}

export type RuleSummary = {
  rule: string;
  title: string;
  counts: Record<GuardrailStatus, number>;
};

/** Per rule, how many objects passed, failed or could not be checked. */
export function summarize(results: GuardrailResult[]): RuleSummary[] {
  const byRule = new Map<string, RuleSummary>();
  for (const r of results) {
    const s = byRule.get(r.rule) ?? {
      rule: r.rule,
      title: r.title,
      counts: { passed: 0, failed: 0, exempted: 0, 'not-checked': 0 },
    };
    s.counts[r.status] += 1;
    byRule.set(r.rule, s);
  }
  return [...byRule.values()];
}

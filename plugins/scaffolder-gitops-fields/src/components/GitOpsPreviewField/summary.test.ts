import type { GuardrailResult, ServicePreview } from '@internal/plugin-guardrails-common';
import { ruleCounts, summaryOf, validateGitOpsPreview } from './summary';

const result = (rule: string, status: GuardrailResult['status'], name = 'shop'): GuardrailResult => ({
  status,
  rule,
  policy: rule,
  validation: 0,
  title: rule,
  binding: rule,
  actions: ['Warn'],
  object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name },
  message: '',
});

const preview = (results: GuardrailResult[], refusal?: string): ServicePreview => ({
  service: 'shop',
  files: [
    { path: 'a.yaml', content: '', change: 'added' },
    { path: 'b.yaml', content: '', change: 'modified' },
    { path: 'c.yaml', content: '', change: 'unchanged' },
  ],
  results,
  ...(refusal ? { refusal } : {}),
});

describe('the preview summary', () => {
  it('counts each rule once, by its worst result', () => {
    const counts = ruleCounts(
      preview([
        result('a', 'passed'),
        result('a', 'failed', 'other'),
        result('b', 'passed'),
        result('b', 'exempted'),
        result('c', 'passed'),
        result('c', 'passed', 'other'),
      ]),
    );
    expect(counts).toEqual({ passed: 1, failed: 1, exempted: 1, notChecked: 0 });
  });

  it('says what the files and the rules come to, for the Review step', () => {
    expect(summaryOf(preview([result('a', 'passed'), result('b', 'exempted')]))).toBe(
      '1 file to add and 1 to change in the GitOps repository; guardrails: 1 rule passes, 1 exempted',
    );
  });

  it('keeps the form from going on when the check step would refuse', () => {
    const errors: string[] = [];
    const validation = { addError: (e: string) => errors.push(e) } as any;
    validateGitOpsPreview(summaryOf(preview([], 'breaks guardrails-probes')), validation, {} as any);
    expect(errors).toEqual([expect.stringMatching(/would refuse these values/)]);
    errors.length = 0;
    validateGitOpsPreview('Not previewed: 502', validation, {} as any);
    validateGitOpsPreview(summaryOf(preview([result('a', 'passed')])), validation, {} as any);
    expect(errors).toEqual([]);
  });
});

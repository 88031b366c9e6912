import type { ServicePreview } from '@internal/plugin-guardrails-common';
import { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';

/** What the check step would refuse, as the field's value starts it: the form does not go on. */
const REFUSED = 'Refused: ';

/** Results per rule: one line per rule, however many objects it judged. */
export function ruleCounts(preview: ServicePreview) {
  const byStatus = { passed: new Set<string>(), failed: new Set<string>(), exempted: new Set<string>(), 'not-checked': new Set<string>() };
  for (const r of preview.results) byStatus[r.status].add(r.rule);
  // A rule counts once, by its worst result.
  for (const rule of byStatus.failed) {
    byStatus.passed.delete(rule);
    byStatus.exempted.delete(rule);
    byStatus['not-checked'].delete(rule);
  }
  for (const rule of byStatus.exempted) byStatus.passed.delete(rule);
  for (const rule of byStatus['not-checked']) byStatus.passed.delete(rule);
  return {
    passed: byStatus.passed.size,
    failed: byStatus.failed.size,
    exempted: byStatus.exempted.size,
    notChecked: byStatus['not-checked'].size,
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The line the Review step shows for the field. */
export function summaryOf(preview: ServicePreview): string {
  if (preview.refusal) return `${REFUSED}${preview.refusal}`;
  const added = preview.files.filter(f => f.change === 'added').length;
  const modified = preview.files.filter(f => f.change === 'modified').length;
  const counts = ruleCounts(preview);
  const files =
    added + modified === 0
      ? `${plural(preview.files.length, 'file', 'files')}, all already in the GitOps repository`
      : `${plural(added, 'file', 'files')} to add and ${modified} to change in the GitOps repository`;
  const rules = [
    plural(counts.passed, 'rule passes', 'rules pass'),
    counts.exempted && `${counts.exempted} exempted`,
    counts.failed && `${counts.failed} warn`,
    counts.notChecked && `${counts.notChecked} not checked before commit`,
  ].filter(Boolean);
  return `${files}; guardrails: ${rules.join(', ')}`;
}

/** A refused preview keeps the form from going on; the message says what to change. */
export const validateGitOpsPreview: CustomFieldValidator<string> = (value, validation) => {
  if (value?.startsWith(REFUSED)) {
    validation.addError(
      'The Create step would refuse these values, as the preview says: change what it names, or ask for an exemption above.',
    );
  }
};

/**
 * The annotation that exempts an object from one guardrail, its value the written
 * justification: `exempt.guardrails.idp-portal.io/<policy name>`. The golden paths write it,
 * each exemptable policy in platform/policies skips it through its matchConditions, and the
 * portal reports it. Justifications shorter than this are refused before commit.
 */
export const EXEMPTION_ANNOTATION_PREFIX = 'exempt.guardrails.idp-portal.io/';
export const MIN_JUSTIFICATION_LENGTH = 20;

export function exemptionAnnotation(policy: string): string {
  return `${EXEMPTION_ANNOTATION_PREFIX}${policy}`;
}

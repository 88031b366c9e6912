/**
 * The platform's guardrails before commit: the ValidatingAdmissionPolicies of
 * platform/policies, which every cluster enforces, evaluated against rendered manifests.
 *
 * @packageDocumentation
 */
export { GuardrailEvaluator, isExemptable } from './evaluate';
export { describeRules } from './rules';
export type { RuleDescription } from './rules';
export type { EvaluateOptions } from './evaluate';
export { parsePolicyFiles, mergePolicySets } from './policies';
export type { PolicyFile, PolicySet } from './policies';
export { ManifestAssembler } from './kustomize';
export type { ManifestFile, ManifestGroup } from './kustomize';
export {
  GUARDRAILS_GROUP,
  MANIFEST_SET_API_VERSION,
  MANIFEST_SET_KIND,
} from './resources';
export type { ResourceKind } from './resources';
export { summarize, blocking } from './results';
export { componentRefOf, componentsOf, rulesReport } from './report';
export type {
  ComponentFinding,
  ComponentGuardrails,
  EntityGuardrailsResponse,
  GuardrailsReport,
  PreviewFile,
  ServicePreview,
  RuleReport,
  ScanInfo,
  ServiceEvaluation,
} from './report';
export type { RuleSummary } from './results';
export type * from './types';

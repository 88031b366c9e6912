/**
 * The guardrails on a backend: platform/policies read from disk, evaluated against the
 * manifests a golden path is about to commit or the GitOps repository already holds.
 *
 * @packageDocumentation
 */
export {
  checkExemptions,
  checkGuardrails,
  defaultPoliciesDirectory,
  evaluateManifests,
  kustomizeTree,
  loadGuardrails,
  refusalOf,
} from './guardrails';
export type { Guardrails } from './guardrails';

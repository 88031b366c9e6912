/**
 * The Guardrails page and entity card, over the scan of the GitOps repository that
 * `@internal/plugin-guardrails-backend` keeps.
 *
 * @packageDocumentation
 */
export { guardrailsPlugin as default } from './plugin';
export { guardrailsApiRef, GuardrailsClient } from './api';
export type { GuardrailsApi } from './api';

/**
 * The guardrails over the GitOps repository: a scheduled scan with the rules of
 * platform/policies, served to the Guardrails page and the entity card.
 *
 * @packageDocumentation
 */
export { guardrailsPlugin as default } from './plugin';

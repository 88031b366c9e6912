export { GuardrailsClient, guardrailsApiRef } from './GuardrailsApi';
export type { GuardrailsApi } from './GuardrailsApi';

/**
 * The platform contract: what the golden paths write into the GitOps repository and what the
 * portal's cards, the cluster reader and the test fakes read back. Change a value here and both
 * sides change together.
 *
 * @packageDocumentation
 */
export * from './kubernetes';
export * from './argocd';
export * from './crossplane';
export * from './environments';
export * from './guardrails';

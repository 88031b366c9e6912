/**
 * Health of a component for its overview page: one verdict, one row per environment and one
 * row per Crossplane resource, read from AKS clusters with per-cluster timeouts and partial
 * answers, at /api/health.
 *
 * @packageDocumentation
 */
export { healthPlugin as default } from './plugin';
export { healthPlugin } from './plugin';

/**
 * A component's deployments card and tab.
 *
 * @packageDocumentation
 */
export { deploymentsPlugin as default } from './plugin';
export { deploymentsApiRef, DeploymentsClient } from './api';
export type { DeploymentsApi } from './api';

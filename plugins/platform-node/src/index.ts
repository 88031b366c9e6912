/**
 * The backend half of the platform contract, shared by the backend plugins.
 *
 * @packageDocumentation
 */
export {
  azureCredentialFromConfig,
  createAzureCredential,
  readAzureSettings,
} from './azureCredential';
export type { AzureServicePrincipal, AzureSettings } from './azureCredential';
export { entityRefOfParams, readableEntity, refuseUnreadable } from './readableEntity';
export { gitAuthFor, gitAuthOptions } from './gitAuth';
export type { GitAuth } from './gitAuth';

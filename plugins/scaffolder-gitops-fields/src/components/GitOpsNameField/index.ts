export { GitOpsNameField } from './GitOpsNameField';
export { GitOpsNameFieldSchema } from './schema';
export { validateGitOpsName } from './validation';

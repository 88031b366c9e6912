export { GitOpsPreviewField } from './GitOpsPreviewField';
export { GitOpsPreviewFieldSchema } from './schema';
export { validateGitOpsPreview } from './summary';

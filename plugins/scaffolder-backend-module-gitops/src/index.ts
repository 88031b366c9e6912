export { scaffolderModuleGitOps as default } from './module';
export {
  createServiceCheckAction,
  createServicePublishAction,
} from './actions/service';
export { createRepoPublishAction } from './actions/repository';
export { createResourcePublishAction } from './actions/resource';
export { ManifestValidator, readYamlDocuments } from './validation/ManifestValidator';
export { commitAndPush } from './git/GitOpsRepository';

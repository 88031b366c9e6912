import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createServiceCheckAction,
  createServicePublishAction,
} from './actions/service';
import { createRepoPublishAction } from './actions/repository';
import { createResourcePublishAction } from './actions/resource';
import { ManifestValidator } from './validation/ManifestValidator';

export const scaffolderModuleGitOps = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, config }) {
        const deps = {
          config,
          integrations: ScmIntegrations.fromConfig(config),
          validator: ManifestValidator.fromDirectory(),
        };
        scaffolder.addActions(
          createServiceCheckAction(deps),
          createServicePublishAction(deps),
          createRepoPublishAction(deps),
          createResourcePublishAction(deps),
        );
      },
    });
  },
});

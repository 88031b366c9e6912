import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCatalogWaitAction } from './actions/catalogWait';
import {
  createServiceCheckAction,
  createServicePublishAction,
} from './actions/service';
import { createRepoPublishAction } from './actions/repository';
import { createResourcePublishAction } from './actions/resource';
import { ManifestValidator } from './validation/ManifestValidator';
import { readAccessSettings } from '@internal/plugin-access-common';
import { accessChecks } from './access/accessChecks';
import { createPreviewRouter } from './preview/previewRouter';
import { createPromoteAction, createRollbackAction } from './actions/deploy';
import { sourceHealthFromHealthPlugin } from './deployments/sourceHealth';
import { createDeploymentsRouter } from './deployments/deploymentsRouter';

export const scaffolderModuleGitOps = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
      },
      async init({ scaffolder, config, catalog, auth, auditor, httpRouter, httpAuth, logger, discovery }) {
        const deps = {
          config,
          integrations: ScmIntegrations.fromConfig(config),
          validator: ManifestValidator.fromDirectory(),
          ...accessChecks({
            catalog,
            auth,
            auditor,
            settings: readAccessSettings(config),
          }),
          auditor,
          auth,
        };
        scaffolder.addActions(
          createServiceCheckAction(deps),
          createServicePublishAction(deps),
          createRepoPublishAction(deps),
          createResourcePublishAction(deps),
          createCatalogWaitAction({ catalog }),
          createPromoteAction({ ...deps, sourceHealth: sourceHealthFromHealthPlugin({ discovery, auth }) }),
          createRollbackAction({ ...deps, sourceHealth: sourceHealthFromHealthPlugin({ discovery, auth }) }),
        );
        // The review step's preview: the check step's decisions, with nothing written.
        httpRouter.use(await createPreviewRouter({ ...deps, httpAuth, logger }));
        // The deployments view: Git's image per environment against what ArgoCD synced.
        httpRouter.use(
          await createDeploymentsRouter({ ...deps, httpAuth, catalog, discovery, auth }),
        );
      },
    });
  },
});

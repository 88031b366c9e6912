import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCatalogRegisterAction, createCatalogWaitAction } from './actions/catalog';
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
import { registerDeploymentActions } from './actions/registry';
import { TimelineStore } from './timeline/TimelineStore';
import { createRolloutFollowAction } from './actions/follow';
import { TimelineTracker } from './timeline/TimelineTracker';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  createPreviewCreateAction,
  createPreviewDeleteAction,
  createPreviewExtendAction,
  reapExpiredPreviews,
} from './actions/preview';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';

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
        actionsRegistry: actionsRegistryServiceRef,
        scheduler: coreServices.scheduler,
        database: coreServices.database,
        signals: signalsServiceRef,
      },
      async init({
        scaffolder,
        config,
        catalog,
        auth,
        auditor,
        httpRouter,
        httpAuth,
        logger,
        discovery,
        actionsRegistry,
        scheduler,
        database,
        signals,
      }) {
        const integrations = ScmIntegrations.fromConfig(config);
        // The request timeline: kept in the scaffolder's database, followed on a schedule.
        const timelines = await TimelineStore.create(await database.getClient());
        const tracker = new TimelineTracker({
          store: timelines,
          config,
          integrations,
          auth,
          discovery,
          logger,
          signals,
        });
        const deps = {
          config,
          integrations,
          validator: ManifestValidator.fromDirectory(),
          ...accessChecks({
            catalog,
            auth,
            auditor,
            settings: readAccessSettings(config),
          }),
          auditor,
          auth,
          timeline: tracker,
        };
        await scheduler.scheduleTask({
          id: 'gitops-timeline-poll',
          scope: 'global',
          frequency: { seconds: 10 },
          timeout: { minutes: 2 },
          fn: async () => {
            await tracker.poll();
          },
        });
        const sourceHealth = sourceHealthFromHealthPlugin({ discovery, auth });
        const promote = createPromoteAction({ ...deps, sourceHealth });
        const rollback = createRollbackAction({ ...deps, sourceHealth });
        const previews = {
          create: createPreviewCreateAction(deps),
          extend: createPreviewExtendAction(deps),
          delete: createPreviewDeleteAction(deps),
        };
        scaffolder.addActions(
          createServiceCheckAction(deps),
          createServicePublishAction(deps),
          createRepoPublishAction(deps),
          createResourcePublishAction(deps),
          createCatalogRegisterAction({ catalog }),
          createCatalogWaitAction({ catalog, auth }),
          promote,
          rollback,
          previews.create,
          previews.extend,
          previews.delete,
          createRolloutFollowAction({ timelines }),
        );
        // Expired previews go in one commit; global scope, so one replica runs it at a time.
        await scheduler.scheduleTask({
          id: 'gitops-preview-reaper',
          scope: 'global',
          frequency: { minutes: 5 },
          timeout: { minutes: 3 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            await reapExpiredPreviews({ ...deps, logger });
          },
        });
        // The same operations for the CLI and MCP clients, as the calling user.
        registerDeploymentActions(actionsRegistry, {
          catalog,
          auth,
          promote,
          rollback,
          previews,
          deployments: { ...deps, discovery, auth },
        });
        // The review step's preview: the check step's decisions, with nothing written.
        httpRouter.use(await createPreviewRouter({ ...deps, httpAuth, logger }));
        // The deployments view: Git's image per environment against what ArgoCD synced.
        httpRouter.use(
          await createDeploymentsRouter({ ...deps, httpAuth, catalog, discovery, auth, timelines }),
        );
      },
    });
  },
});

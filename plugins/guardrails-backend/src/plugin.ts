import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { describeRules } from '@internal/plugin-guardrails-common';
import { loadGuardrails } from '@internal/plugin-guardrails-node';
import { gitAuthFor } from '@internal/plugin-platform-node';
import { readScanSettings } from './config';
import { GitOpsScanner, ScanState } from './GitOpsScanner';
import { createRouter } from './router';

const unconfigured = {
  current: (): ScanState => ({
    scan: {
      repoUrl: '',
      branch: '',
      services: 0,
      error: 'No GitOps repository is configured: set gitops.repoUrl in app-config.',
    },
    evaluations: [],
  }),
};

/**
 * The guardrails of platform/policies over what the GitOps repository holds, whoever committed
 * it: a scheduled scan, and the rules, per-component findings and exemption rates at
 * /api/guardrails.
 *
 * @public
 */
export const guardrailsPlugin = createBackendPlugin({
  pluginId: 'guardrails',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
      },
      async init({ httpRouter, httpAuth, auth, auditor, logger, config, scheduler, catalog }) {
        const settings = readScanSettings(config);
        const integrations = ScmIntegrations.fromConfig(config);
        const scans = settings
          ? new GitOpsScanner({
              repoUrl: settings.repoUrl,
              branch: settings.branch,
              argocdNamespace: settings.argocdNamespace,
              auth: () => gitAuthFor(settings.repoUrl, integrations, settings.credentials, auth),
              logger,
            })
          : undefined;
        if (scans) {
          const scanConfig = config.getOptionalConfig('guardrails.scan.schedule');
          // Every replica keeps its own copy of the last scan: reading one branch head is cheap.
          await scheduler.scheduleTask({
            id: 'guardrails-gitops-scan',
            scope: 'local',
            ...(scanConfig
              ? readSchedulerServiceTaskScheduleDefinitionFromConfig(scanConfig)
              : { frequency: { minutes: 5 }, timeout: { minutes: 2 } }),
            fn: async () => {
              await scans.scan();
            },
          });
        } else {
          logger.warn('No gitops.repoUrl is configured, so the guardrails scan reads nothing');
        }
        httpRouter.use(
          await createRouter({
            httpAuth,
            auditor,
            catalog,
            rules: describeRules(loadGuardrails().set),
            scans: scans ?? unconfigured,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});

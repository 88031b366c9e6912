import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { readAccessSettings } from '@internal/plugin-access-common';
import { AccessPermissionPolicy } from './AccessPermissionPolicy';

/** Replaces the allow-all policy with least privilege by ownership. */
export const permissionModuleAccessPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'access-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
      },
      async init({ policy, config, userInfo, auditor, logger }) {
        const settings = readAccessSettings(config);
        if (settings.platformAdmins.length === 0) {
          logger.warn(
            "permission.platformAdmins is empty: nobody can dry-run templates, use the Kubernetes proxy or act on other teams' entities",
          );
        }
        policy.setPolicy(
          new AccessPermissionPolicy({ settings, userInfo, auditor }),
        );
      },
    });
  },
});

import { AuditorService, UserInfoService } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  kubernetesClustersReadPermission,
  kubernetesProxyPermission,
  kubernetesResourcesReadPermission,
} from '@backstage/plugin-kubernetes-common';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  taskCancelPermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  AccessSettings,
  AUDIT_EVENTS,
  isPlatformAdmin,
  mayReadCatalog,
} from '@internal/plugin-access-common';

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

// Every other permission of the plugins this portal runs, for signed-in users.
// A permission not named anywhere here is denied: a new plugin's
// permissions are closed until someone decides who gets them.
const USER_PERMISSIONS = new Set([
  'catalog.entity.create',
  'catalog.entity.validate',
  'catalog.location.read',
  'catalog.location.create',
  'catalog.location.analyze',
  // Read-only views of what failed to ingest, so owners can fix their files.
  'catalog.entities.unprocessed.read',
  'catalog.ingestion.read',
  'scaffolder.task.create',
  'scaffolder.action.execute',
  'scaffolder.template.parameter.read',
  'scaffolder.template.step.read',
]);

// Only platform admins: dry-run leaked secrets in earlier Backstage
// advisories; the proxy is raw cluster access; the rest is catalog plumbing.
const ADMIN_ONLY = new Set([
  'scaffolder.template.dry-run',
  'scaffolder.template.management',
  'kubernetes.proxy',
  'catalog.location.delete',
  'catalog.ingestion.manage',
  'catalog.entities.unprocessed.delete',
]);

/**
 * Least privilege by ownership. Service principals never reach a policy in
 * Backstage; their limit is the `accessRestrictions` of their token.
 */
export class AccessPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly options: {
      settings: AccessSettings;
      userInfo: UserInfoService;
      auditor?: AuditorService;
    },
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) return this.deny(request, 'anonymous', 'not signed in');
    const { userEntityRef, ownershipEntityRefs } =
      await this.options.userInfo.getUserInfo(user.credentials);
    const { permission } = request;
    const { settings } = this.options;

    if (isPlatformAdmin(ownershipEntityRefs, settings)) return ALLOW;

    if (isPermission(permission, catalogEntityReadPermission)) {
      return mayReadCatalog(ownershipEntityRefs, settings)
        ? ALLOW
        : this.deny(request, userEntityRef, 'not in permission.catalogReaders');
    }
    if (
      isPermission(permission, catalogEntityDeletePermission) ||
      isPermission(permission, catalogEntityRefreshPermission)
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
      );
    }
    if (
      isPermission(permission, taskReadPermission) ||
      isPermission(permission, taskCancelPermission)
    ) {
      return createScaffolderTaskConditionalDecision(
        permission,
        scaffolderTaskConditions.isTaskOwner({ createdBy: [userEntityRef] }),
      );
    }
    if (
      isPermission(permission, kubernetesResourcesReadPermission) ||
      isPermission(permission, kubernetesClustersReadPermission)
    ) {
      // The Kubernetes tab reads what the catalog lets this user read.
      return mayReadCatalog(ownershipEntityRefs, settings)
        ? ALLOW
        : this.deny(request, userEntityRef, 'not in permission.catalogReaders');
    }
    if (
      isPermission(permission, kubernetesProxyPermission) ||
      ADMIN_ONLY.has(permission.name)
    ) {
      return this.deny(request, userEntityRef, 'platform admins only');
    }
    if (USER_PERMISSIONS.has(permission.name)) return ALLOW;
    return this.deny(request, userEntityRef, 'no rule grants this permission');
  }

  private async deny(request: PolicyQuery, actor: string, reason: string) {
    const event = await this.options.auditor?.createEvent({
      eventId: AUDIT_EVENTS.permissionDenied,
      severityLevel: 'medium',
      meta: { actor, permission: request.permission.name, reason },
    });
    await event?.fail({
      error: new Error(`${request.permission.name} denied: ${reason}`),
    });
    return DENY;
  }
}

import { mockCredentials } from '@backstage/backend-test-utils';
import { UserInfoService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  taskCreatePermission,
  taskReadPermission,
  templateDryRunPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import { readAccessSettings } from '@internal/plugin-access-common';
import { AccessPermissionPolicy } from './AccessPermissionPolicy';

const people: Record<string, string[]> = {
  'user:default/priya.raman': [
    'user:default/priya.raman',
    'group:default/payments-team',
    'group:default/contoso',
  ],
  'user:default/amara.okafor': [
    'user:default/amara.okafor',
    'group:default/platform-team',
  ],
  'user:default/new.hire': ['user:default/new.hire'],
};
const userInfo: UserInfoService = {
  async getUserInfo(credentials: any) {
    const ref = credentials.principal.userEntityRef;
    return { userEntityRef: ref, ownershipEntityRefs: people[ref] };
  },
};

function policy(permission: object = {}) {
  const denied: string[] = [];
  const p = new AccessPermissionPolicy({
    settings: readAccessSettings(
      new ConfigReader({
        permission: { platformAdmins: ['platform-team'], ...permission },
      }),
    ),
    userInfo,
    auditor: {
      async createEvent(o) {
        return {
          success: async () => {},
          fail: async () =>
            void denied.push(
              `${(o.meta as any).actor} ${(o.meta as any).permission}`,
            ),
        };
      },
    },
  });
  const decide = (who: string, perm: any) =>
    p.handle(
      { permission: perm },
      { credentials: mockCredentials.user(who), info: {} as any },
    );
  return { decide, denied };
}

describe('AccessPermissionPolicy', () => {
  it('lets a member read the catalog and create tasks, and only conditionally delete or read tasks', async () => {
    const { decide } = policy();
    const priya = 'user:default/priya.raman';
    expect(await decide(priya, catalogEntityReadPermission)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await decide(priya, taskCreatePermission)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await decide(priya, catalogEntityDeletePermission)).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: { claims: people[priya] },
      },
    });
    expect(await decide(priya, taskReadPermission)).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'scaffolder',
      conditions: { rule: 'IS_TASK_OWNER', params: { createdBy: [priya] } },
    });
  });

  it('keeps dry-run, the Kubernetes proxy and location deletes for platform admins, and audits each denial', async () => {
    const { decide, denied } = policy();
    for (const perm of [
      templateDryRunPermission,
      kubernetesProxyPermission,
      catalogLocationDeletePermission,
    ]) {
      expect(await decide('user:default/priya.raman', perm)).toEqual({
        result: AuthorizeResult.DENY,
      });
      expect(await decide('user:default/amara.okafor', perm)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
    expect(denied).toEqual([
      'user:default/priya.raman scaffolder.template.dry-run',
      'user:default/priya.raman kubernetes.proxy',
      'user:default/priya.raman catalog.location.delete',
    ]);
  });

  it('denies a permission no rule names', async () => {
    const { decide } = policy();
    const unknown = createPermission({
      name: 'newplugin.thing.delete',
      attributes: { action: 'delete' },
    });
    expect(await decide('user:default/priya.raman', unknown)).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('restricts catalog reads to catalogReaders when set', async () => {
    const { decide } = policy({ catalogReaders: ['contoso'] });
    expect(
      await decide('user:default/priya.raman', catalogEntityReadPermission),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await decide('user:default/new.hire', catalogEntityReadPermission),
    ).toEqual({ result: AuthorizeResult.DENY });
    expect(
      await decide('user:default/amara.okafor', catalogEntityReadPermission),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});

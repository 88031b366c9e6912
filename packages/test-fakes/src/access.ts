import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AccessSettings, readAccessSettings } from '@internal/plugin-access-common';

const group = (name: string, parent?: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name },
  spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
});
const user = (name: string, memberOf: string[]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name },
  spec: { memberOf },
});

/**
 * A small organisation for the golden-path actions' tests. The users the
 * GitOps tests act as (priya, diego, mei, amara) are platform admins (see
 * {@link testAccessSettings}), so those tests can use any owner; the owner
 * rules are tested with the others.
 */
export const testOrg = [
  group('contoso'),
  group('platform-team', 'contoso'),
  group('payments-team', 'contoso'),
  group('payments-sre', 'payments-team'),
  group('storefront-team', 'contoso'),
  user('priya.raman', ['payments-team', 'platform-team']),
  user('diego.alvarez', ['payments-team', 'platform-team']),
  user('mei.chen', ['storefront-team', 'platform-team']),
  user('amara.okafor', ['platform-team']),
  user('olu.member', ['payments-team']),
  user('sam.sre', ['payments-sre']),
  user('ana.storefront', ['storefront-team']),
  user('nobody.new', []),
];

/** Access settings in which `platform-team` of {@link testOrg} are the platform admins. */
export function testAccessSettings(): AccessSettings {
  return readAccessSettings(
    new ConfigReader({
      permission: { platformAdmins: ['group:default/platform-team'] },
    }),
  );
}

/**
 * What an owner check needs to decide against {@link testOrg}: a catalog holding it, the
 * backend's own auth and {@link testAccessSettings}. For example
 * `new OwnerGuard({ ...testOrgAccess(), auditor })`.
 */
export function testOrgAccess() {
  return {
    catalog: catalogServiceMock({ entities: testOrg }),
    auth: mockServices.auth(),
    settings: testAccessSettings(),
  };
}

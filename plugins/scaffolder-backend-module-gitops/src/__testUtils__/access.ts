import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { readAccessSettings } from '@internal/plugin-access-common';
import { OwnerGuard } from '../access/OwnerGuard';

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
 * A small organisation for the actions' tests. The users the GitOps tests
 * act as (priya, diego, mei, amara) are platform admins, so those tests can
 * use any owner; the owner rules are tested with the others.
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

export function testOwnerGuard(
  auditor?: ConstructorParameters<typeof OwnerGuard>[0]['auditor'],
) {
  return new OwnerGuard({
    catalog: catalogServiceMock({ entities: testOrg }),
    auth: mockServices.auth(),
    auditor,
    settings: readAccessSettings(
      new ConfigReader({
        permission: { platformAdmins: ['group:default/platform-team'] },
      }),
    ),
  });
}

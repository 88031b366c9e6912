import { TokenCredential } from '@azure/core-auth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity, GroupEntity, UserEntity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import catalogModuleMicrosoftGraphOrgEntityProvider, {
  defaultUserTransformer,
  MicrosoftGraphClient,
  MicrosoftGraphOrgEntityProvider,
  microsoftGraphOrgEntityProviderTransformExtensionPoint,
  MicrosoftGraphOrgEntityProviderTransformsExtensionPoint,
  readMicrosoftGraphOrg,
  readProviderConfig,
  UserTransformer,
} from '@backstage/plugin-catalog-backend-module-msgraph';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  FakeGraph,
  FakeGraphDirectory,
  startFakeGraph,
} from '@internal/test-fakes';
import { catalogModuleEntraOrg } from './module';
import { entraUserTransformer } from './userTransformer';

// A real backend and real HTTP servers: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(30_000);

const TENANT_ID = '5b1f0d2e-8c4a-4f3b-9e6d-1a2b3c4d5e6f';
const ACCESS_TOKEN = 'fake-graph-access-token';

const USER = {
  ada: '0d6f1c2a-1111-4a5b-8c9d-000000000001',
  grace: '0d6f1c2a-1111-4a5b-8c9d-000000000002',
  ken: '0d6f1c2a-1111-4a5b-8c9d-000000000003',
  linus: '0d6f1c2a-1111-4a5b-8c9d-000000000004',
  margaret: '0d6f1c2a-1111-4a5b-8c9d-000000000005',
  eve: '0d6f1c2a-1111-4a5b-8c9d-000000000006',
};

const GROUP = {
  platform: '7a3e9b10-2222-4c1d-9e8f-000000000001',
  platformSre: '7a3e9b10-2222-4c1d-9e8f-000000000002',
  payments: '7a3e9b10-2222-4c1d-9e8f-000000000003',
  allCompany: '7a3e9b10-2222-4c1d-9e8f-000000000004',
};

function member(id: string, displayName: string, email: string) {
  return {
    id,
    displayName,
    givenName: displayName.split(' ')[0],
    surname: displayName.split(' ')[1],
    mail: email,
    userPrincipalName: email,
    userType: 'Member',
    accountEnabled: true,
    businessPhones: [],
  };
}

// Two teams, one with a nested team; a disabled account; a guest; and a
// company-wide group that is not a team.
const DIRECTORY: FakeGraphDirectory = {
  organization: {
    id: TENANT_ID,
    displayName: 'Contoso',
    verifiedDomains: [{ name: 'contoso.example', isDefault: true }],
  },
  users: [
    member(USER.ada, 'Ada Lovelace', 'ada.lovelace@contoso.example'),
    member(USER.grace, 'Grace Hopper', 'grace.hopper@contoso.example'),
    member(USER.ken, 'Ken Thompson', 'ken.thompson@contoso.example'),
    member(USER.linus, 'Linus Torvalds', 'linus.torvalds@contoso.example'),
    {
      ...member(
        USER.margaret,
        'Margaret Hamilton',
        'margaret.hamilton@contoso.example',
      ),
      accountEnabled: false,
    },
    {
      ...member(USER.eve, 'Eve Guest', 'eve@fabrikam.example'),
      userPrincipalName: 'eve_fabrikam.example#EXT#@contoso.onmicrosoft.com',
      userType: 'Guest',
    },
  ],
  groups: [
    {
      id: GROUP.platform,
      displayName: 'team-platform',
      description: 'Platform engineering',
      mail: null,
      mailNickname: 'team-platform',
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      memberIds: [USER.ada, GROUP.platformSre, USER.ken],
    },
    {
      id: GROUP.platformSre,
      displayName: 'team-platform-sre',
      description: 'Site reliability for the platform',
      mail: null,
      mailNickname: 'team-platform-sre',
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      memberIds: [USER.grace],
    },
    {
      id: GROUP.payments,
      displayName: 'team-payments',
      description: 'Payments',
      mail: 'team-payments@contoso.example',
      mailNickname: 'team-payments',
      mailEnabled: true,
      securityEnabled: false,
      groupTypes: ['Unified'],
      memberIds: [USER.linus, USER.margaret],
    },
    {
      id: GROUP.allCompany,
      displayName: 'All Company',
      description: 'Everyone at Contoso',
      mail: 'allcompany@contoso.example',
      mailNickname: 'allcompany',
      mailEnabled: true,
      securityEnabled: false,
      groupTypes: ['Unified'],
      memberIds: Object.values(USER),
    },
  ],
};

const TEAM_FILTER = "startswith(displayName,'team-')";

function providerConfig(target: string, users: object) {
  return {
    target,
    authority: 'https://login.microsoftonline.com',
    tenantId: TENANT_ID,
    clientId: 'c0ffee00-0000-4000-8000-000000000001',
    clientSecret: 'not-a-real-secret',
    ...users,
    group: { filter: TEAM_FILTER },
    schedule: { frequency: { hours: 1 }, timeout: { minutes: 10 } },
  };
}

// Stands in for ClientSecretCredential, which would need an HTTPS Entra authority.
const staticToken: TokenCredential = {
  async getToken() {
    return { token: ACCESS_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

function usersByObjectId(entities: Entity[]) {
  return new Map(
    entities
      .filter((e): e is UserEntity => e.kind === 'User')
      .map(u => [u.metadata.annotations?.['graph.microsoft.com/user-id'], u]),
  );
}

function groupNamed(entities: Entity[], name: string) {
  const group = entities.find(
    e => e.kind === 'Group' && e.metadata.name === name,
  );
  if (!group) {
    throw new Error(
      `no Group ${name} among ${entities.map(e => e.metadata.name)}`,
    );
  }
  return group as GroupEntity;
}

describe('Entra org ingestion through the upstream msgraph module', () => {
  let graph: FakeGraph;

  beforeEach(async () => {
    // A page size of two splits the users and the platform team's members over pages.
    graph = await startFakeGraph({
      directory: DIRECTORY,
      accessToken: ACCESS_TOKEN,
      pageSize: 2,
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await graph.close();
  });

  it('reads users by user.filter and teams by group.filter, across pages', async () => {
    const config = readProviderConfig(
      'entra',
      new ConfigReader(
        providerConfig(graph.target, {
          user: { filter: "userType eq 'Member'" },
        }),
      ),
    );

    const { users, groups } = await readMicrosoftGraphOrg(
      new MicrosoftGraphClient(config.target, staticToken),
      config.tenantId,
      {
        userFilter: config.userFilter,
        userSelect: config.userSelect,
        groupFilter: config.groupFilter,
        userTransformer: entraUserTransformer,
        logger: mockServices.logger.mock(),
      },
    );
    const entities = [...users, ...groups];

    const userRequests = graph.requests.filter(r => r.path === '/v1.0/users');
    expect(userRequests.length).toBeGreaterThanOrEqual(2);
    expect(userRequests[1].query.$skiptoken).toBeDefined();
    for (const { query } of userRequests) {
      expect(query.$filter).toBe("userType eq 'Member'");
      expect(query.$select.split(',')).toContain('accountEnabled');
    }

    // Ada and Grace came on the first page, Ken and Linus on the second.
    // Margaret is disabled and Eve is a guest, left out by user.filter.
    const byObjectId = usersByObjectId(entities);
    expect([...byObjectId.keys()].sort()).toEqual(
      [USER.ada, USER.grace, USER.ken, USER.linus].sort(),
    );
    expect(byObjectId.has(USER.margaret)).toBe(false);
    expect(byObjectId.has(USER.eve)).toBe(false);

    // What the Microsoft sign-in resolver matches on.
    const ada = byObjectId.get(USER.ada)!;
    expect(ada.metadata.annotations).toMatchObject({
      'graph.microsoft.com/user-id': USER.ada,
      'microsoft.com/email': 'ada.lovelace@contoso.example',
    });
    for (const user of byObjectId.values()) {
      expect(user.metadata.annotations?.['microsoft.com/email']).toBe(
        user.spec.profile?.email,
      );
    }

    expect(groups.map(g => g.metadata.name).sort()).toEqual([
      'contoso',
      'team-payments',
      'team-platform',
      'team-platform-sre',
    ]);
    expect(groups.some(g => g.metadata.name === 'allcompany')).toBe(false);

    const platform = groupNamed(entities, 'team-platform');
    const sre = groupNamed(entities, 'team-platform-sre');
    expect(sre.spec.parent).toBe('group:default/team-platform');
    expect(platform.spec.children).toEqual(['group:default/team-platform-sre']);
    expect(platform.spec.parent).toBe('group:default/contoso');

    // Ken is on the second page of the platform team's members.
    expect(
      graph.requests.some(
        r =>
          r.path === `/v1.0/groups/${GROUP.platform}/members` &&
          r.query.$skiptoken,
      ),
    ).toBe(true);
    expect(byObjectId.get(USER.ken)!.spec.memberOf).toEqual([
      'group:default/team-platform',
    ]);
    expect(byObjectId.get(USER.grace)!.spec.memberOf).toEqual([
      'group:default/team-platform-sre',
    ]);
  });

  it('ingests the team groups and their members through the catalog module, with ours installed', async () => {
    const create = jest
      .spyOn(MicrosoftGraphClient, 'create')
      .mockImplementation(
        config => new MicrosoftGraphClient(config.target, staticToken),
      );
    const providers: EntityProvider[] = [];

    const backend = await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          { addEntityProvider: (...added) => providers.push(...added.flat()) },
        ],
      ],
      features: [
        catalogModuleMicrosoftGraphOrgEntityProvider,
        catalogModuleEntraOrg,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              providers: {
                microsoftGraphOrg: {
                  entra: providerConfig(graph.target, {
                    userGroupMember: { filter: TEAM_FILTER },
                  }),
                },
              },
            },
          },
        }),
      ],
    });

    expect(providers.map(p => p.getProviderName())).toEqual([
      'MicrosoftGraphOrgEntityProvider:entra',
    ]);
    const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
    await providers[0].connect(connection as EntityProviderConnection);
    await (providers[0] as MicrosoftGraphOrgEntityProvider).read();

    expect(create).toHaveBeenCalledWith(
      expect.objectContaining({
        target: graph.target,
        authority: 'https://login.microsoftonline.com',
        tenantId: TENANT_ID,
        clientId: 'c0ffee00-0000-4000-8000-000000000001',
        userGroupMemberFilter: TEAM_FILTER,
        groupFilter: TEAM_FILTER,
      }),
    );
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const [mutation] = connection.applyMutation.mock.calls[0];
    expect(mutation.type).toBe('full');
    const entities: Entity[] = mutation.entities.map(
      (e: { entity: Entity }) => e.entity,
    );

    // Users come from the team groups only: Eve is only in All Company, and
    // Margaret's account is disabled.
    const memberReads = graph.requests
      .filter(r => r.path.endsWith('/members/microsoft.graph.user/'))
      .map(r => r.path.split('/')[3]);
    expect([...new Set(memberReads)].sort()).toEqual(
      [GROUP.platform, GROUP.platformSre, GROUP.payments].sort(),
    );
    const byObjectId = usersByObjectId(entities);
    expect([...byObjectId.keys()].sort()).toEqual(
      [USER.ada, USER.grace, USER.ken, USER.linus].sort(),
    );
    expect(byObjectId.get(USER.linus)!.metadata.annotations).toMatchObject({
      'graph.microsoft.com/user-id': USER.linus,
      'microsoft.com/email': 'linus.torvalds@contoso.example',
    });
    expect(groupNamed(entities, 'team-platform-sre').spec.parent).toBe(
      'group:default/team-platform',
    );
    expect(entities.some(e => e.metadata.name === 'allcompany')).toBe(false);

    await backend.stop();
  });

  it('is refused by the fake Graph without the bearer token', async () => {
    const otherToken: TokenCredential = {
      getToken: async () => ({ token: 'other', expiresOnTimestamp: 0 }),
    };
    await expect(
      readMicrosoftGraphOrg(
        new MicrosoftGraphClient(graph.target, otherToken),
        TENANT_ID,
        {
          userFilter: "userType eq 'Member'",
          logger: mockServices.logger.mock(),
        },
      ),
    ).rejects.toThrow(/InvalidAuthenticationToken/);
  });

  // msgraph 0.10.6 already drops disabled accounts before any transformer runs,
  // so the ingestion above cannot tell whether ours is installed; this can.
  it('installs a user transformer that drops disabled accounts', async () => {
    let installed: UserTransformer | undefined;
    const transforms: Partial<MicrosoftGraphOrgEntityProviderTransformsExtensionPoint> =
      {
        setUserTransformer: transformer => {
          installed = transformer as UserTransformer;
        },
      };
    const backend = await startTestBackend({
      extensionPoints: [
        [microsoftGraphOrgEntityProviderTransformExtensionPoint, transforms],
      ],
      features: [catalogModuleEntraOrg],
    });

    const [ada, margaret] = DIRECTORY.users.filter(u =>
      [USER.ada, USER.margaret].includes(u.id),
    );
    expect(installed).toBeDefined();
    await expect(installed!(margaret)).resolves.toBeUndefined();
    await expect(installed!(ada)).resolves.toEqual(
      await defaultUserTransformer(ada),
    );

    await backend.stop();
  });
});

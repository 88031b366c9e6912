import { ConfigReader } from '@backstage/config';
import {
  decideOwner,
  mayReadCatalog,
  ownershipRefsOf,
  readAccessSettings,
  GroupLike,
} from './index';

const groups: Record<string, GroupLike> = {
  'group:default/contoso': { metadata: { name: 'contoso' } },
  'group:default/payments-team': {
    metadata: { name: 'payments-team' },
    spec: { parent: 'contoso' },
  },
  'group:default/payments-sre': {
    metadata: { name: 'payments-sre' },
    spec: { parent: 'payments-team' },
  },
  // A parent loop in the catalog must not hang sign-in.
  'group:default/loop-a': {
    metadata: { name: 'loop-a' },
    spec: { parent: 'loop-b' },
  },
  'group:default/loop-b': {
    metadata: { name: 'loop-b' },
    spec: { parent: 'loop-a' },
  },
};
const asked: string[][] = [];
const lookup = async (refs: string[]) => {
  asked.push(refs);
  return refs.map(ref => groups[ref]);
};
beforeEach(() => asked.splice(0));

const settings = readAccessSettings(
  new ConfigReader({ permission: { platformAdmins: ['platform-team'] } }),
);

describe('ownershipRefsOf', () => {
  it('adds every ancestor of the groups a user is a member of', async () => {
    const refs = await ownershipRefsOf(
      {
        metadata: { name: 'priya.raman' },
        spec: { memberOf: ['payments-sre'] },
      },
      lookup,
    );
    expect(refs).toEqual([
      'user:default/priya.raman',
      'group:default/payments-sre',
      'group:default/payments-team',
      'group:default/contoso',
    ]);
    // One lookup per level of the hierarchy, not per group.
    expect(asked).toEqual([
      ['group:default/payments-sre'],
      ['group:default/payments-team'],
      ['group:default/contoso'],
    ]);
  });

  it('asks for the groups of one level together', async () => {
    const refs = await ownershipRefsOf(
      {
        metadata: { name: 'lead' },
        spec: { memberOf: ['payments-sre', 'payments-team', 'unknown-team'] },
      },
      lookup,
    );
    expect(refs).toEqual([
      'user:default/lead',
      'group:default/payments-sre',
      'group:default/payments-team',
      'group:default/unknown-team',
      'group:default/contoso',
    ]);
    expect(asked).toEqual([
      [
        'group:default/payments-sre',
        'group:default/payments-team',
        'group:default/unknown-team',
      ],
      ['group:default/contoso'],
    ]);
  });

  it('keeps a namespaced user and stops on a parent loop', async () => {
    const refs = await ownershipRefsOf(
      {
        metadata: { name: 'guest', namespace: 'development' },
        spec: { memberOf: ['default/loop-a'] },
      },
      lookup,
    );
    expect(refs).toEqual([
      'user:development/guest',
      'group:default/loop-a',
      'group:default/loop-b',
    ]);
  });

  it('gives a user in no team only their own ref', async () => {
    expect(
      await ownershipRefsOf({ metadata: { name: 'new.hire' } }, lookup),
    ).toEqual(['user:default/new.hire']);
  });
});

describe('decideOwner', () => {
  const member = [
    'user:default/priya.raman',
    'group:default/payments-team',
    'group:default/contoso',
  ];

  it('allows a team the user belongs to, in any spelling of its ref', () => {
    for (const owner of [
      'payments-team',
      'default/payments-team',
      'group:default/Payments-Team',
    ]) {
      expect(
        decideOwner({
          userRef: member[0],
          ownershipRefs: member,
          owner,
          settings,
        }),
      ).toEqual({
        allowed: true,
        as: 'member',
      });
    }
  });

  it('refuses another team and names the teams the user has', () => {
    const d = decideOwner({
      userRef: member[0],
      ownershipRefs: member,
      owner: 'storefront-team',
      settings,
    });
    expect(d.allowed).toBe(false);
    expect(d.allowed === false && d.message).toBe(
      'user:default/priya.raman is not a member of group:default/storefront-team, so it cannot be the owner. ' +
        'Choose one of your teams (group:default/payments-team, group:default/contoso), or ask a member of group:default/storefront-team to run this golden path.',
    );
  });

  it('refuses a user in no team with what to do', () => {
    const d = decideOwner({
      userRef: 'user:default/x',
      ownershipRefs: ['user:default/x'],
      owner: 'payments-team',
      settings,
    });
    expect(d.allowed === false && d.message).toMatch(
      /You are in no team in the catalog/,
    );
  });

  it('allows a platform admin for any team', () => {
    const admin = ['user:default/amara.okafor', 'group:default/platform-team'];
    expect(
      decideOwner({
        userRef: admin[0],
        ownershipRefs: admin,
        owner: 'storefront-team',
        settings,
      }),
    ).toEqual({
      allowed: true,
      as: 'platform-admin',
    });
  });
});

describe('mayReadCatalog', () => {
  it('lets everyone read unless catalogReaders is set', () => {
    expect(mayReadCatalog(['user:default/x'], settings)).toBe(true);
    const restricted = readAccessSettings(
      new ConfigReader({
        permission: {
          platformAdmins: ['platform-team'],
          catalogReaders: ['contoso'],
        },
      }),
    );
    expect(mayReadCatalog(['user:default/x'], restricted)).toBe(false);
    expect(
      mayReadCatalog(['user:default/x', 'group:default/contoso'], restricted),
    ).toBe(true);
    expect(
      mayReadCatalog(
        ['user:default/a', 'group:default/platform-team'],
        restricted,
      ),
    ).toBe(true);
  });
});

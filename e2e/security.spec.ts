import { expect, test } from '@playwright/test';
import fs from 'fs';
import https from 'https';
import os from 'os';
import path from 'path';
import { BackendProcess, startBackend, waitFor } from './support/backend';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/chromium';
import {
  EntraUser,
  FakeGraphDirectory,
  HOST_MAP_PRELOAD,
  startFakeEntra,
} from '@internal/test-fakes';

// A second portal signs users in with Microsoft Entra ID and reads its organisation from
// Microsoft Graph, against a fake Entra ID and Graph on 127.0.0.1 reached through
// Microsoft's own host names (the test-fakes host map in the backend,
// --host-resolver-rules in Chromium). It runs the production token rules.
const BASE = 'http://localhost:7027';
const ENTRA_PORT = 7096;
const TENANT = '8d1a4b7e-6c2f-4e3a-9b5d-1f0e2d3c4b5a';
const CLIENT_ID = '0c5e7a1b-portal-e2e';
const CATALOG_READER_TOKEN = 'e2e-catalog-reader-token-0123456789';

const users: Record<string, EntraUser> = {
  teamA: {
    id: '3f2c1a7e-0b61-4d0e-9a55-2b8e7c4d1a01',
    displayName: 'Priya Raman',
    mail: 'priya.raman@contoso.example',
    userPrincipalName: 'priya.raman@contoso.example',
  },
  teamB: {
    id: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c02',
    displayName: 'Mei Chen',
    mail: 'mei.chen@contoso.example',
    userPrincipalName: 'mei.chen@contoso.example',
  },
  admin: {
    id: '9b8e6d5c-4a3b-4c2d-8e1f-0a9b8c7d6e03',
    displayName: 'Amara Okafor',
    mail: 'amara.okafor@contoso.example',
    userPrincipalName: 'amara.okafor@contoso.example',
  },
  noTeam: {
    id: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b04',
    displayName: 'New Hire',
    mail: 'new.hire@contoso.example',
    userPrincipalName: 'new.hire@contoso.example',
  },
  stranger: {
    id: 'e1e2e3e4-0000-4000-8000-00000000dead',
    displayName: 'Sam Guest',
    mail: 'sam@fabrikam.example',
    userPrincipalName: 'sam_fabrikam.example#EXT#@contoso.onmicrosoft.com',
  },
};

// The tenant as Graph returns it. Users become catalog Users named after their mail;
// groups named team-* become Groups named after their mailNickname.
const member = (u: EntraUser, accountEnabled = true, userType = 'Member') => ({
  ...u,
  accountEnabled,
  userType,
  givenName: u.displayName.split(' ')[0],
  surname: u.displayName.split(' ')[1],
});
const team = (
  id: string,
  displayName: string,
  mailNickname: string,
  memberIds: string[],
) => ({
  id,
  displayName,
  mailNickname,
  mail: `${mailNickname}@contoso.example`,
  description: `${displayName} (Entra group)`,
  mailEnabled: true,
  securityEnabled: false,
  memberIds,
});
const LEAVER: EntraUser = {
  id: '0ff0ff0f-0000-4000-8000-00000000beef',
  displayName: 'Lee Leaver',
  mail: 'lee.leaver@contoso.example',
  userPrincipalName: 'lee.leaver@contoso.example',
};
const directory: FakeGraphDirectory = {
  organization: { id: TENANT, displayName: 'Contoso' },
  users: [
    member(users.teamA),
    member(users.teamB),
    member(users.admin),
    member(users.noTeam),
    // A B2B guest can sign in to the tenant, but the user filter takes members only.
    member(users.stranger, true, 'Guest'),
    // A disabled account is never a catalog user.
    member(LEAVER, false),
  ],
  groups: [
    team(
      'a1b2c3d4-0001-4000-8000-000000000001',
      'team-platform',
      'platform-team',
      [users.admin.id],
    ),
    team(
      'a1b2c3d4-0002-4000-8000-000000000002',
      'team-payments',
      'payments-team',
      [users.teamA.id, users.stranger.id, LEAVER.id],
    ),
    team(
      'a1b2c3d4-0003-4000-8000-000000000003',
      'team-storefront',
      'storefront-team',
      [users.teamB.id],
    ),
    team(
      'a1b2c3d4-0004-4000-8000-000000000004',
      'All Company',
      'all-company',
      Object.values(users).map(u => u.id),
    ),
  ],
};
const ref = (u: EntraUser) => `user:default/${u.mail.replace('@', '_')}`;

let entra: Awaited<ReturnType<typeof startFakeEntra>>;
let backend: BackendProcess;

test.describe.configure({ mode: 'serial' });

// Chromium reaches the fake Entra ID under Microsoft's names; its certificate is self-signed.
test.use({
  ignoreHTTPSErrors: true,
  launchOptions: {
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      `--host-resolver-rules=MAP login.microsoftonline.com 127.0.0.1:${ENTRA_PORT}, MAP graph.microsoft.com 127.0.0.1:${ENTRA_PORT}`,
    ],
  },
});

test.beforeAll(async () => {
  test.setTimeout(240_000);
  entra = await startFakeEntra({
    port: ENTRA_PORT,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret: 'e2e-client-secret',
    users: Object.values(users),
    directory,
  });
  backend = startBackend({
    configs: ['app-config.yaml', 'e2e/fixtures/app-config.entra.yaml'],
    env: {
      APP_CONFIG_gitHost_root: fs.mkdtempSync(
        path.join(os.tmpdir(), 'idp-e2e-entra-git-'),
      ),
      NODE_OPTIONS: `--require ${HOST_MAP_PRELOAD}`,
      NODE_EXTRA_CA_CERTS: entra.certFile,
      E2E_HOST_MAP: entra.hosts
        .map(h => `${h}=127.0.0.1:${ENTRA_PORT}`)
        .join(','),
    },
  });
  await waitFor(
    'the Entra portal and the organisation from Graph',
    async () => {
      const res = await fetch(
        `${BASE}/api/catalog/entities/by-name/user/default/${
          ref(users.teamB).split('/')[1]
        }`,
        {
          headers: { Authorization: `Bearer ${CATALOG_READER_TOKEN}` },
        },
      );
      return res.ok ? true : undefined;
    },
    200_000,
  ).catch(e => {
    throw new Error(`${e}\n${backend.output().slice(-3000)}`);
  });
});

test.afterAll(async () => {
  if (process.env.E2E_DEBUG_TASKS)
    fs.appendFileSync(
      process.env.E2E_DEBUG_TASKS,
      `\n=== backend\n${backend?.output()}`,
    );
  backend?.stop();
  await entra?.stop();
});

/** What the browser does at Microsoft: the authorize URL, with an account picked. */
function authorizeAt(location: string, loginHint: string): Promise<string> {
  const url = new URL(location);
  url.searchParams.set('login_hint', loginHint);
  return new Promise((resolve, reject) => {
    https
      .get(
        {
          host: '127.0.0.1',
          port: ENTRA_PORT,
          path: `${url.pathname}${url.search}`,
          servername: url.hostname,
          headers: { host: url.hostname },
          ca: fs.readFileSync(entra.certFile),
        },
        res => {
          res.resume();
          if (res.statusCode === 302 && res.headers.location)
            resolve(res.headers.location);
          else reject(new Error(`authorize answered ${res.statusCode}`));
        },
      )
      .on('error', reject);
  });
}

/** Signs a user in through the portal's real Microsoft OAuth routes; returns the Backstage token. */
async function signIn(
  user: EntraUser,
): Promise<{ status: number; token?: string; error?: string }> {
  const cookies = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const cookieHeader = () =>
    [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const start = await fetch(
    `${BASE}/api/auth/microsoft/start?env=development&scope=openid&origin=${encodeURIComponent(
      BASE,
    )}`,
    { redirect: 'manual' },
  );
  keep(start);
  expect(start.status).toBe(302);
  expect(new URL(start.headers.get('location')!).hostname).toBe(
    'login.microsoftonline.com',
  );
  const back = await authorizeAt(
    start.headers.get('location')!,
    user.userPrincipalName,
  );
  const frame = await fetch(back, {
    headers: { cookie: cookieHeader() },
    redirect: 'manual',
  });
  keep(frame);
  const html = await frame.text();
  const refresh = await fetch(
    `${BASE}/api/auth/microsoft/refresh?env=development&optional`,
    {
      headers: { cookie: cookieHeader(), 'X-Requested-With': 'XMLHttpRequest' },
    },
  );
  const body = await refresh.json().catch(() => ({}));
  // A refused sign-in ends in the popup: the frame posts its error to the app.
  const posted = html.match(
    /var authResponse = decodeURIComponent\('([^']*)'\)/,
  )?.[1];
  const frameError =
    posted && JSON.parse(decodeURIComponent(posted)).error?.message;
  return {
    status: refresh.status,
    token: body.backstageIdentity?.token,
    error: frameError ?? body.error?.message,
  };
}

type Caller = 'teamA' | 'teamB' | 'admin' | 'noTeam' | 'serviceToken';
const CALLERS: Caller[] = ['teamA', 'teamB', 'admin', 'noTeam', 'serviceToken'];
const OWN_TEAM: Record<Caller, string> = {
  teamA: 'group:default/payments-team',
  teamB: 'group:default/storefront-team',
  admin: 'group:default/platform-team',
  noTeam: 'group:default/payments-team', // not theirs: they have none
  serviceToken: 'group:default/payments-team',
};
const OTHER_TEAM: Record<Caller, string> = {
  teamA: 'group:default/storefront-team',
  teamB: 'group:default/payments-team',
  admin: 'group:default/storefront-team',
  noTeam: 'group:default/storefront-team',
  serviceToken: 'group:default/storefront-team',
};

test('Entra ID sign-in issues tokens only to catalog users, and the permission matrix holds with zero bypasses', async () => {
  test.setTimeout(300_000);
  const tokens: Record<Caller, string> = {
    serviceToken: CATALOG_READER_TOKEN,
  } as any;
  for (const who of ['teamA', 'teamB', 'admin', 'noTeam'] as const) {
    const result = await signIn(users[who]);
    expect(result.status, `${who}: ${result.error}`).toBe(200);
    tokens[who] = result.token!;
  }
  const userInfo = async (t: string) =>
    (
      await (
        await fetch(`${BASE}/api/auth/v1/userinfo`, {
          headers: { Authorization: `Bearer ${t}` },
        })
      ).json()
    ).claims;
  // The Graph org provider made the user, with its object id, which the first resolver matched.
  // Membership through parent groups: the tenant's root group, contoso, is in the claims.
  expect(await userInfo(tokens.teamA)).toMatchObject({
    sub: ref(users.teamA),
    ent: [
      ref(users.teamA),
      'group:default/payments-team',
      'group:default/contoso',
    ],
  });
  expect((await userInfo(tokens.teamB)).sub).toBe(ref(users.teamB));
  // Nothing outside the group filter was ingested, nor the disabled account.
  const groups = await (
    await fetch(`${BASE}/api/catalog/entities?filter=kind=group`, {
      headers: { Authorization: `Bearer ${tokens.admin}` },
    })
  ).json();
  expect(groups.map((g: any) => g.metadata.name).sort()).toEqual([
    'contoso',
    'payments-team',
    'platform-team',
    'storefront-team',
  ]);
  const people = await (
    await fetch(`${BASE}/api/catalog/entities?filter=kind=user`, {
      headers: { Authorization: `Bearer ${tokens.admin}` },
    })
  ).json();
  expect(
    people.map((u: any) => `user:default/${u.metadata.name}`).sort(),
  ).toEqual(
    [users.admin, users.noTeam, users.teamA, users.teamB].map(ref).sort(),
  );

  // Someone Entra knows but the catalog does not gets no token, and is told why.
  const stranger = await signIn(users.stranger);
  expect(stranger.token).toBeUndefined();
  expect(stranger.error).toContain(
    'sam@fabrikam.example signed in to Microsoft, but the portal has no user for it in the catalog',
  );

  const call = (who: Caller, pathname: string, init: RequestInit = {}) =>
    fetch(`${BASE}${pathname}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${tokens[who]}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  const runTask = async (who: Caller, template: string, values: object) => {
    const res = await call(who, '/api/scaffolder/v2/tasks', {
      method: 'POST',
      body: JSON.stringify({
        templateRef: `template:default/${template}`,
        values,
      }),
    });
    if (res.status !== 201)
      return { allowed: false, detail: `HTTP ${res.status}` };
    const { id } = await res.json();
    const task = await waitFor(
      `task ${id}`,
      async () => {
        const t = await (
          await call('admin', `/api/scaffolder/v2/tasks/${id}`)
        ).json();
        return ['completed', 'failed', 'cancelled'].includes(t.status)
          ? t
          : undefined;
      },
      90_000,
    );
    const events = await (
      await call('admin', `/api/scaffolder/v2/tasks/${id}/events`)
    ).json();
    const log = events
      .filter((e: any) => e.type === 'log')
      .map((e: any) => e.body.message)
      .join('\n');
    if (process.env.E2E_DEBUG_TASKS)
      fs.appendFileSync(
        process.env.E2E_DEBUG_TASKS,
        `\n=== ${who} ${template} ${task.status}\n${log}\n`,
      );
    return {
      allowed: task.status === 'completed',
      id,
      detail:
        task.status === 'completed'
          ? 'completed'
          : log.match(
              /(is not a member[^\n]*|You are in no team[^\n]*|NotAllowedError[^\n]*)/,
            )?.[0] ?? log.slice(-300),
    };
  };
  const httpAllowed = (res: Response) => ({
    allowed: ![401, 403, 404].includes(res.status),
    detail: `HTTP ${res.status}`,
  });

  const gitopsHead = () =>
    fetch(
      `${BASE}/api/git-host/gitops.git/info/refs?service=git-upload-pack`,
    ).then(r => r.text());
  const repoList = async () =>
    JSON.stringify(await (await fetch(`${BASE}/api/git-host/repos`)).json());

  // Each team's own service, made by a member, so there is something of theirs to act on.
  const serviceOf: Partial<Record<Caller, string>> = {};
  const matrix: Record<
    string,
    Partial<Record<Caller, { allowed: boolean; detail: string }>>
  > = {};
  const row = (name: string) => (matrix[name] ??= {});

  for (const who of CALLERS) {
    const name = `sec-${who.toLowerCase()}-api`;
    const r = await runTask(who, 'nodejs-service', {
      name,
      description: 'Made by the security e2e test',
      owner: OWN_TEAM[who],
      environments: ['dev'],
      size: 'small',
      port: 8080,
    });
    row("run a golden path for one's own team")[who] = r;
    if (r.allowed) serviceOf[who] = name;
  }
  const taskOfTeamB = (
    await (
      await call(
        'teamB',
        `/api/scaffolder/v2/tasks?createdBy=${ref(users.teamB)}`,
      )
    ).json()
  ).tasks[0].id;

  const headBefore = await gitopsHead();
  const reposBefore = await repoList();
  const forOtherTeam = (who: Caller) =>
    runTask(who, 'nodejs-service', {
      name: `sec-${who.toLowerCase()}-for-other`,
      description: 'Made by the security e2e test',
      owner: OTHER_TEAM[who],
      environments: ['dev'],
      size: 'small',
      port: 8080,
    });
  for (const who of CALLERS) {
    if (who !== 'admin')
      row('run a golden path for another team (direct API request)')[who] =
        await forOtherTeam(who);
  }
  for (const who of CALLERS) {
    if (who === 'admin') continue;
    const target = who === 'teamB' ? 'sec-teama-api' : 'sec-teamb-api';
    row("attach a resource to another team's component")[who] = await runTask(
      who,
      'redis-cache',
      {
        component: `component:default/${target}`,
        name: `${who.toLowerCase()}-cache`,
        size: 'small',
      },
    );
  }
  // Nothing a denied run touched changed: same GitOps head, same repositories.
  expect(await gitopsHead()).toBe(headBefore);
  expect(await repoList()).toBe(reposBefore);
  row('run a golden path for another team (direct API request)').admin =
    await forOtherTeam('admin');
  row("attach a resource to another team's component").admin = await runTask(
    'admin',
    'redis-cache',
    {
      component: 'component:default/sec-teamb-api',
      name: 'admin-cache',
      size: 'small',
    },
  );

  for (const who of CALLERS) {
    const other =
      who === 'teamB'
        ? (
            await (
              await call(
                'teamA',
                `/api/scaffolder/v2/tasks?createdBy=${ref(users.teamA)}`,
              )
            ).json()
          ).tasks[0].id
        : taskOfTeamB;
    row("read another user's task")[who] = httpAllowed(
      await call(who, `/api/scaffolder/v2/tasks/${other}`),
    );
    row("follow another user's task (events)")[who] = httpAllowed(
      await call(who, `/api/scaffolder/v2/tasks/${other}/events`),
    );
    row("cancel another user's task")[who] = httpAllowed(
      await call(who, `/api/scaffolder/v2/tasks/${other}/cancel`, {
        method: 'POST',
      }),
    );
    row('dry-run a template')[who] = httpAllowed(
      await call(who, '/api/scaffolder/v2/dry-run', {
        method: 'POST',
        body: JSON.stringify({
          template: {
            apiVersion: 'scaffolder.backstage.io/v1beta3',
            kind: 'Template',
            metadata: { name: 'dry' },
            spec: {
              type: 'service',
              steps: [
                { id: 'log', action: 'debug:log', input: { message: 'hello' } },
              ],
            },
          },
          values: {},
          directoryContents: [],
        }),
      }),
    );
    // No cluster is configured here: past the permission check the proxy answers 404 for the cluster.
    const proxy = await call(who, '/api/kubernetes/proxy/api/v1/namespaces', {
      headers: { 'Backstage-Kubernetes-Cluster': 'aks-dev' },
    });
    row('use the Kubernetes proxy')[who] = {
      allowed: ![401, 403].includes(proxy.status),
      detail: `HTTP ${proxy.status}`,
    };
    row('read an entity')[who] = httpAllowed(
      await call(
        who,
        '/api/catalog/entities/by-name/component/default/payments-api',
      ),
    );
    row('read the health of an entity (only where it may be read)')[who] =
      httpAllowed(
        await call(
          who,
          '/api/health/v1/entities/component/default/payments-api/verdict',
        ),
      );
  }
  const uidOf = async (name: string) =>
    (
      await (
        await call(
          'admin',
          `/api/catalog/entities/by-name/component/default/${name}`,
        )
      ).json()
    ).metadata.uid;
  const uids: Record<string, string> = {
    'payments-api': await uidOf('payments-api'),
    'checkout-web': await uidOf('checkout-web'),
    'sec-teamb-api': await uidOf('sec-teamb-api'),
  };
  // The admin goes last: its unregister is the one that succeeds.
  for (const who of [
    'teamA',
    'teamB',
    'noTeam',
    'serviceToken',
    'admin',
  ] as const) {
    // The admin's succeeds, so it removes one made by this test, not one the browser tests look for.
    const target =
      who === 'teamB'
        ? 'payments-api'
        : who === 'admin'
        ? 'sec-teamb-api'
        : 'checkout-web';
    const entity = { metadata: { uid: uids[target] } };
    row("unregister another team's entity")[who] = httpAllowed(
      await call(who, `/api/catalog/entities/by-uid/${entity.metadata.uid}`, {
        method: 'DELETE',
      }),
    );
  }

  const A = true;
  const D = false;
  const expected: Record<string, Record<Caller, boolean>> = {
    'read an entity': {
      teamA: A,
      teamB: A,
      admin: A,
      noTeam: D,
      serviceToken: A,
    },
    "run a golden path for one's own team": {
      teamA: A,
      teamB: A,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
    'run a golden path for another team (direct API request)': {
      teamA: D,
      teamB: D,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
    "attach a resource to another team's component": {
      teamA: D,
      teamB: D,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
    "read another user's task": {
      teamA: D,
      teamB: D,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
    "follow another user's task (events)": {
      teamA: D,
      teamB: D,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
    "cancel another user's task": {
      teamA: D,
      teamB: D,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
    'dry-run a template': {
      teamA: D,
      teamB: D,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
    'use the Kubernetes proxy': {
      teamA: D,
      teamB: D,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
    'read the health of an entity (only where it may be read)': {
      teamA: A,
      teamB: A,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
    "unregister another team's entity": {
      teamA: D,
      teamB: D,
      admin: A,
      noTeam: D,
      serviceToken: D,
    },
  };

  const cell = (o?: { allowed: boolean; detail: string }) =>
    o ? `${o.allowed ? 'ALLOW' : 'deny'} (${o.detail.slice(0, 40)})` : '-';
  const lines = [
    `| action | ${CALLERS.join(' | ')} |`,
    `| --- |${CALLERS.map(() => ' --- |').join('')}`,
    ...Object.keys(expected).map(
      action =>
        `| ${action} | ${CALLERS.map(c => cell(matrix[action]?.[c])).join(
          ' | ',
        )} |`,
    ),
  ];
  // eslint-disable-next-line no-console
  console.log(
    `\nPermission matrix observed (teamA = payments-team member, teamB = storefront-team member, admin = platform-team, noTeam = in no team, serviceToken = static token restricted to catalog.entity.read):\n${lines.join(
      '\n',
    )}\n`,
  );
  const bypasses: string[] = [];
  for (const [action, byCaller] of Object.entries(expected)) {
    for (const c of CALLERS) {
      if (matrix[action]?.[c]?.allowed !== byCaller[c])
        bypasses.push(
          `${action} / ${c}: expected ${
            byCaller[c] ? 'allow' : 'deny'
          }, got ${cell(matrix[action]?.[c])}`,
        );
    }
  }
  expect(bypasses).toEqual([]);
});

test('bad tokens are answered 401: expired, signed by another key, for another audience', async () => {
  const read = (token: string) =>
    fetch(
      `${BASE}/api/catalog/entities/by-name/component/default/payments-api`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
  // An Entra workload identity token for this portal's audience works (restricted to catalog reads) ...
  const good = await entra.mint({
    subject: 'ci-pipeline',
    audience: 'api://idp-portal',
  });
  expect((await read(good)).status).toBe(200);
  // ... and these do not.
  const cases = {
    expired: await entra.mint({
      subject: 'ci-pipeline',
      audience: 'api://idp-portal',
      expiresInSeconds: -600,
    }),
    'signed by another key': await entra.mint({
      subject: 'ci-pipeline',
      audience: 'api://idp-portal',
      signedByOtherKey: true,
    }),
    'for another audience': await entra.mint({
      subject: 'ci-pipeline',
      audience: 'api://someone-else',
    }),
    'an Entra token for Microsoft Graph': await entra.mint({
      subject: 'ci-pipeline',
      audience: '00000003-0000-0000-c000-000000000000',
    }),
  };
  const seen: Record<string, number> = {};
  for (const [name, token] of Object.entries(cases))
    seen[name] = (await read(token)).status;
  // eslint-disable-next-line no-console
  console.log('Bad tokens:', JSON.stringify(seen));
  expect(seen).toEqual(
    Object.fromEntries(Object.keys(cases).map(k => [k, 401])),
  );
});

test.describe('in Chromium', () => {
  for (const who of ['teamA', 'teamB'] as const) {
    test(`${users[who].displayName} signs in with Microsoft and sees their name and their team's components under Owned`, async ({
      page,
    }) => {
      test.setTimeout(120_000);
      await page.goto(BASE);
      await expect(page.getByText('Microsoft', { exact: true })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Enter' })).toHaveCount(0);
      const popup = page.waitForEvent('popup');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const picker = await popup;
      await expect(picker).toHaveTitle('Sign in to your account');
      await picker.getByRole('link', { name: users[who].displayName }).click();
      await expect(
        page
          .getByRole('navigation', { name: 'sidebar nav' })
          .getByRole('link', { name: 'Catalog', exact: true }),
      ).toBeVisible();

      // The catalog is the home page here (app-config.yaml).
      await page.goto(`${BASE}/?filters[kind]=component&filters[user]=owned`);
      const mine =
        who === 'teamA' ? ['Payments API', 'Ledger Worker'] : ['Checkout Web'];
      const theirs =
        who === 'teamA' ? ['Checkout Web'] : ['Payments API', 'Ledger Worker'];
      await expect(page.getByText(/^Owned Components \(\d+\)$/)).toBeVisible();
      for (const name of mine)
        await expect(
          page.getByRole('link', { name, exact: true }),
        ).toBeVisible();
      for (const name of theirs)
        await expect(page.getByRole('link', { name, exact: true })).toHaveCount(
          0,
        );
      await page.screenshot({
        path: `test-results/screenshots/entra-owned-${who}.png`,
      });

      await page.goto(`${BASE}/settings`);
      await expect(
        page.getByText(users[who].displayName).first(),
      ).toBeVisible();
      await expect(page.getByText(users[who].mail).first()).toBeVisible();
    });
  }

  test('someone Entra knows but the catalog does not is refused on the sign-in page, saying so', async ({
    page,
  }) => {
    await page.goto(BASE);
    const popup = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await (await popup)
      .getByRole('link', { name: users.stranger.displayName })
      .click();
    await expect(
      page.getByText(
        /sam@fabrikam.example signed in to Microsoft, but the portal has no user for it in the catalog/,
      ),
    ).toBeVisible();
    await page.screenshot({
      path: 'test-results/screenshots/entra-refused.png',
    });
  });
});

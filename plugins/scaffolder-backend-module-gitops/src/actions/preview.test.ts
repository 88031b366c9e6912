import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { metricsServiceMock } from '@backstage/backend-test-utils/alpha';
import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { evaluateManifests, kustomizeTree } from '@internal/plugin-guardrails-node';
import { testAccessSettings, testOrg } from '@internal/test-fakes/access';
import { cloneRepo, headOf, startGitServer } from '@internal/test-fakes/git';
import net from 'net';
import path from 'path';
import { parse } from 'yaml';
import { accessChecks } from '../access/accessChecks';
import { ManifestValidator } from '../validation/ManifestValidator';
import {
  createPreviewCreateAction,
  createPreviewDeleteAction,
  createPreviewExtendAction,
  reapExpiredPreviews,
} from './preview';
import { createServicePublishAction } from './service';

jest.setTimeout(60_000);

const ordersApi = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', annotations: { 'backstage.io/kubernetes-id': 'orders-api' } },
  spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
};
const T0 = new Date('2026-12-02T12:00:00.000Z');
const HOUR = 3600_000;
const APP = (p: string) => `argocd/applications/dev/previews/orders-api--${p}.yaml`;
const outputs = (ctx: any) => Object.fromEntries((ctx.output as jest.Mock).mock.calls);

describe('preview environments, against a real Git host', () => {
  let git: Awaited<ReturnType<typeof startGitServer>>;
  let config: ConfigReader;
  let now = T0;
  let actions: {
    create: ReturnType<typeof createPreviewCreateAction>;
    extend: ReturnType<typeof createPreviewExtendAction>;
    remove: ReturnType<typeof createPreviewDeleteAction>;
  };
  const ctx = (input: object, user = 'user:default/olu.member') =>
    createMockActionContext({ input: input as any, user: { ref: user }, task: { id: 'task-p' } });
  const read = async (file: string) => {
    const repo = await cloneRepo(git.gitopsUrl);
    try {
      return repo.exists(file) ? parse(await repo.read(file)) : undefined;
    } finally {
      await repo.cleanup();
    }
  };

  beforeAll(async () => {
    git = await startGitServer(gitHostPlugin);
    config = new ConfigReader({
      gitops: { repoUrl: git.gitopsUrl, previews: { maxPerTeam: 2, maxTtlHours: 48, defaultTtlHours: 24 } },
    });
    const deps = {
      config,
      integrations: ScmIntegrations.fromConfig(config),
      ...accessChecks({
        catalog: catalogServiceMock({ entities: [...testOrg, ordersApi] }),
        auth: mockServices.auth(),
        settings: testAccessSettings(),
      }),
      auth: mockServices.auth(),
      now: () => now,
    };
    await createServicePublishAction({
      ...deps,
      validator: ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas')),
    }).handler(ctx({ name: 'orders-api', owner: 'group:default/payments-team' }, 'user:default/priya.raman'));
    actions = {
      create: createPreviewCreateAction(deps),
      extend: createPreviewExtendAction(deps),
      remove: createPreviewDeleteAction(deps),
    };
  });
  afterAll(() => git?.stop());

  it('creates a preview from an image tag: its own namespace, overlay and Application, with its expiry in Git', async () => {
    const run = ctx({ component: 'orders-api', preview: 'pr-1', imageTag: 'pr-1-3f2a1c9' });
    await actions.create.handler(run);
    expect(outputs(run)).toMatchObject({
      changed: true,
      namespace: 'orders-api--pr-1',
      expiresAt: new Date(T0.getTime() + 24 * HOUR).toISOString(),
    });
    const app = await read(APP('pr-1'));
    expect(app.spec.destination).toEqual({ name: 'aks-dev', namespace: 'orders-api--pr-1' });
    expect(app.metadata.annotations['idp-portal/expires-at']).toBe('2026-12-03T12:00:00.000Z');
    const k = await read('apps/orders-api/previews/pr-1/kustomization.yaml');
    expect(k.images).toEqual([{ name: 'contoso.azurecr.io/orders-api', newTag: 'pr-1-3f2a1c9' }]);

    // What Argo CD would build passes every rule the cluster enforces.
    const repo = await cloneRepo(git.gitopsUrl);
    const files = await kustomizeTree(
      ['apps/orders-api/previews/pr-1/kustomization.yaml', APP('pr-1')],
      p => repo.read(p).catch(() => undefined),
      new Map(),
    );
    expect(repo.log[0].commit.message).toContain('Preview: orders-api--pr-1');
    expect(repo.log[0].commit.message).toContain('Expires-At: 2026-12-03T12:00:00.000Z');
    expect(repo.log[0].commit.author.name).toBe('olu.member');
    await repo.cleanup();
    const results = evaluateManifests(files, 'argocd');
    expect(results.filter(r => r.status === 'failed' && r.actions.includes('Deny'))).toEqual([]);
    expect(results.some(r => r.policy === 'guardrails-application-team-project' && r.status === 'passed')).toBe(true);

    // A re-run changes nothing.
    const again = ctx({ component: 'orders-api', preview: 'pr-1', imageTag: 'pr-1-3f2a1c9' });
    await actions.create.handler(again);
    expect(outputs(again).changed).toBe(false);
  });

  it('extends a preview within the maximum, and refuses beyond it', async () => {
    now = new Date(T0.getTime() + 10 * HOUR);
    const run = ctx({ component: 'orders-api', preview: 'pr-1', ttlHours: 48 });
    await actions.extend.handler(run);
    const expected = new Date(T0.getTime() + 58 * HOUR).toISOString();
    expect(outputs(run).expiresAt).toBe(expected);
    expect((await read(APP('pr-1'))).metadata.annotations['idp-portal/expires-at']).toBe(expected);
    expect((await read('apps/orders-api/previews/pr-1/namespace.yaml')).metadata.annotations['idp-portal/expires-at']).toBe(expected);
    const head = await headOf(git.gitopsUrl);
    await expect(
      actions.extend.handler(ctx({ component: 'orders-api', preview: 'pr-1', ttlHours: 100 })),
    ).rejects.toThrow(/A preview lives at most 48 hours \(gitops.previews.maxTtlHours\), not 100/);
    expect(await headOf(git.gitopsUrl)).toBe(head);
  });

  it("enforces the team's limit and refuses bad names, with nothing committed", async () => {
    await actions.create.handler(ctx({ component: 'orders-api', preview: 'pr-2', imageTag: 'pr-2-aa11bb2', ttlHours: 1 }));
    const head = await headOf(git.gitopsUrl);
    await expect(
      actions.create.handler(ctx({ component: 'orders-api', preview: 'pr-3', imageTag: 'pr-3-cc33dd4' })),
    ).rejects.toThrow(/group:default\/payments-team has 2 previews already \(orders-api--pr-1, orders-api--pr-2\)/);
    await expect(
      actions.create.handler(ctx({ component: 'orders-api', preview: 'PR_3', imageTag: 'x' })),
    ).rejects.toThrow(/lowercase letters, digits and "-"/);
    await expect(
      actions.create.handler(ctx({ component: 'orders-api', preview: 'pr-4', imageTag: 'x', ttlHours: 49 })),
    ).rejects.toThrow(/at most 48 hours/);
    await expect(
      actions.create.handler(ctx({ component: 'orders-api', preview: 'pr-5', imageTag: 'x' }, 'user:default/ana.storefront')),
    ).rejects.toThrow(/is not a member of group:default\/payments-team/);
    expect(await headOf(git.gitopsUrl)).toBe(head);
  });

  it('removes expired previews in one commit by the portal, and only those; a second run does nothing', async () => {
    // pr-2 lived 1 h from T0+10h; pr-1 was extended to T0+58h.
    const logger = mockServices.logger.mock();
    const first = await reapExpiredPreviews({ config, integrations: ScmIntegrations.fromConfig(config), auth: mockServices.auth(), logger, now: new Date(T0.getTime() + 12 * HOUR) });
    expect(first.removed).toEqual(['orders-api--pr-2']);
    expect(await read(APP('pr-2'))).toBeUndefined();
    expect(await read('apps/orders-api/previews/pr-2/kustomization.yaml')).toBeUndefined();
    expect(await read(APP('pr-1'))).toBeDefined();
    const repo = await cloneRepo(git.gitopsUrl);
    await repo.cleanup();
    expect(repo.log[0].commit.message).toBe('Remove 1 expired preview\n\nExpired-Preview: orders-api--pr-2\n');
    expect(repo.log[0].commit.author.name).toBe('IDP Portal');
    const second = await reapExpiredPreviews({ config, integrations: ScmIntegrations.fromConfig(config), auth: mockServices.auth(), logger, now: new Date(T0.getTime() + 12 * HOUR) });
    expect(second).toEqual({ removed: [] });
    expect(await headOf(git.gitopsUrl)).toBe(repo.log[0].oid);
  });

  it('deletes a preview on request, and a second delete changes nothing', async () => {
    const run = ctx({ component: 'orders-api', preview: 'pr-1' });
    await actions.remove.handler(run);
    expect(outputs(run).changed).toBe(true);
    expect(await read(APP('pr-1'))).toBeUndefined();
    expect(await read('apps/orders-api/previews/pr-1/namespace.yaml')).toBeUndefined();
    const again = ctx({ component: 'orders-api', preview: 'pr-1' });
    await actions.remove.handler(again);
    expect(outputs(again).changed).toBe(false);
  });
});

/** Whether something accepts connections on 127.0.0.1:5432. */
function postgresAnswers(): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect(5432, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the reaper on two backends sharing one PostgreSQL', () => {
  // The PostgreSQL of this machine (trust auth); TestDatabases makes a fresh database in it.
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING ??= 'postgresql://postgres@127.0.0.1:5432';
  const databases = TestDatabases.create({ ids: ['POSTGRES_16'], disableDocker: true });

  it('runs as one global task: the expired preview is removed by exactly one commit', async () => {
    if (!(await postgresAnswers())) {
      // eslint-disable-next-line no-console
      console.log('skipped: no PostgreSQL on 127.0.0.1:5432 for the two-scheduler reaper test');
      return;
    }
    const knex = await databases.init('POSTGRES_16');
    const git = await startGitServer(gitHostPlugin);
    try {
      const config = new ConfigReader({ gitops: { repoUrl: git.gitopsUrl } });
      const integrations = ScmIntegrations.fromConfig(config);
      const deps = {
        config,
        integrations,
        ...accessChecks({ catalog: catalogServiceMock({ entities: [...testOrg, ordersApi] }), auth: mockServices.auth(), settings: testAccessSettings() }),
        auth: mockServices.auth(),
        now: () => new Date(Date.now() - 2 * HOUR),
      };
      const publishCtx = createMockActionContext({ input: { name: 'orders-api', owner: 'group:default/payments-team' } as any, user: { ref: 'user:default/priya.raman' } });
      await createServicePublishAction({ ...deps, validator: ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas')) }).handler(publishCtx);
      // Made two hours ago with one hour to live: expired now.
      await createPreviewCreateAction(deps).handler(
        createMockActionContext({ input: { component: 'orders-api', preview: 'pr-9', imageTag: 'pr-9-0a1b2c3', ttlHours: 1 } as any, user: { ref: 'user:default/olu.member' } }),
      );
      const runs: string[] = [];
      const schedulers = ['a', 'b'].map(replica => ({
        replica,
        scheduler: DefaultSchedulerService.create({
          database: { getClient: async () => knex, migrations: { skip: false } } as any,
          logger: mockServices.logger.mock(),
          metrics: metricsServiceMock.mock(),
          rootLifecycle: mockServices.rootLifecycle.mock(),
          httpRouter: mockServices.httpRouter.mock(),
          pluginMetadata: { getId: () => 'scaffolder' },
        }),
      }));
      const abort = new AbortController();
      for (const { replica, scheduler } of schedulers) {
        await scheduler.scheduleTask({
          id: 'gitops-preview-reaper',
          scope: 'global',
          frequency: { seconds: 1 },
          timeout: { seconds: 30 },
          signal: abort.signal,
          fn: async () => {
            runs.push(replica);
            await reapExpiredPreviews({ config, integrations, auth: mockServices.auth(), logger: mockServices.logger.mock() });
          },
        });
      }
      const start = Date.now();
      while (runs.length < 4 && Date.now() - start < 20_000) await new Promise(r => setTimeout(r, 200));
      abort.abort();
      const repo = await cloneRepo(git.gitopsUrl);
      await repo.cleanup();
      const reaps = repo.log.filter(c => c.commit.message.startsWith('Remove 1 expired preview'));
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(reaps).toHaveLength(1);
      expect(reaps[0].commit.message).toContain('Expired-Preview: orders-api--pr-9');
      expect(repo.exists(APP('pr-9'))).toBe(false);
    } finally {
      await git.stop();
    }
  });
});

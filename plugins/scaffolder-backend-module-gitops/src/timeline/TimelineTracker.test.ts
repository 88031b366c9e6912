import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import type { EnvironmentRow } from '@internal/plugin-health-common';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { commitFiles, headOf, startGitServer } from '@internal/test-fakes/git';
import express from 'express';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { TimelineStore } from './TimelineStore';
import { TimelineTracker } from './TimelineTracker';

jest.setTimeout(60_000);

const row = (revision: string, sync: string, tag: string, ready: number): EnvironmentRow => ({
  environment: 'staging',
  cluster: 'aks-staging',
  application: { name: 'shop-staging', syncStatus: sync, healthStatus: ready === 2 ? 'Healthy' : 'Progressing', revision, syncedAt: new Date().toISOString() },
  imageTags: [tag],
  images: [`contoso.azurecr.io/shop:${tag}`],
  pods: { ready, total: 2, restarts: 0 },
  verdict: { state: ready === 2 ? 'Healthy' : 'Degraded', reasons: [] },
  failures: [],
});

describe('the request timeline, followed against a real Git host', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let git: Awaited<ReturnType<typeof startGitServer>>;
  let health: Server;
  // The reconciler: what the fake cluster reports, moved on by the test as Argo CD would.
  let cluster: { rows: EnvironmentRow[]; resources: any[] } = { rows: [], resources: [] };

  beforeAll(async () => {
    git = await startGitServer(gitHostPlugin);
    const app = express();
    app.get('/api/health/v1/entities/component/default/shop/environments', (_req, res) =>
      res.json({ environments: cluster.rows }),
    );
    app.get('/api/health/v1/entities/component/default/shop/resources', (_req, res) =>
      res.json({ resources: cluster.resources }),
    );
    health = app.listen(0);
  });
  afterAll(async () => {
    health?.close();
    await git?.stop();
  });

  it('goes from committed to healthy as the cluster catches up, kept in the database and announced', async () => {
    const before = await headOf(git.gitopsUrl);
    const commit = await commitFiles(git.gitopsUrl, { 'apps/shop/overlays/staging/kustomization.yaml': 'images: [{name: shop, newTag: 1.2.0}]\n' }, 'Promote shop 1.2.0');
    const store = await TimelineStore.create(await databases.init('SQLITE_3'));
    const signals = { publish: jest.fn(async () => {}) };
    const base = `http://127.0.0.1:${(health.address() as AddressInfo).port}/api`;
    const config = new ConfigReader({ gitops: { repoUrl: git.gitopsUrl } });
    const tracker = new TimelineTracker({
      store,
      config,
      integrations: ScmIntegrations.fromConfig(config),
      auth: mockServices.auth(),
      discovery: { getBaseUrl: async id => `${base}/${id}`, getExternalBaseUrl: async id => `${base}/${id}` },
      logger: mockServices.logger.mock(),
      signals,
    });
    await tracker.record({ entityRef: 'component:default/shop', kind: 'promote', environments: ['staging'], commitSha: commit, version: '1.2.0' });
    expect(signals.publish).toHaveBeenCalledWith(expect.objectContaining({ channel: 'gitops-timeline:component:default/shop' }));

    // Argo CD has not seen the commit yet.
    cluster = { rows: [row(before, 'OutOfSync', '1.1.0', 2)], resources: [] };
    await tracker.poll();
    let [t] = await store.ofEntity('component:default/shop');
    expect(t.stages.map(s => `${s.stage}:${s.status}`)).toEqual([
      'committed:done', 'merged:skipped', 'synced:waiting', 'resources-ready:waiting', 'healthy:waiting',
    ]);
    expect(t.stages[2].detail).toBe(`ArgoCD is OutOfSync at ${before.slice(0, 7)}`);

    // Synced at the commit; the new pods are coming up.
    cluster = { rows: [row(commit, 'Synced', '1.2.0', 1)], resources: [{ environment: 'staging', kind: 'Database', name: 'shop-db', ready: 'False' }] };
    await tracker.poll();
    [t] = await store.ofEntity('component:default/shop');
    expect(t.stages.map(s => s.status)).toEqual(['done', 'skipped', 'done', 'waiting', 'waiting']);
    expect(t.stages[3].detail).toBe('waiting for Database shop-db to be Ready');

    cluster = { rows: [row(commit, 'Synced', '1.2.0', 2)], resources: [{ environment: 'staging', kind: 'Database', name: 'shop-db', ready: 'True' }] };
    const moved = await tracker.poll();
    expect(moved).toHaveLength(1);
    [t] = await store.ofEntity('component:default/shop');
    expect(t.done).toBe(true);
    expect(t.stages.every(s => s.status === 'done' || s.status === 'skipped')).toBe(true);
    // Nothing is open any more: another poll changes nothing.
    expect(await tracker.poll()).toEqual([]);
    expect(signals.publish.mock.calls.length).toBeGreaterThanOrEqual(3);
  });
});

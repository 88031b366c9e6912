import { advanceTimeline, startTimeline, waitingOn } from './timeline';

const t0 = new Date('2026-12-02T12:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const change = { id: '1', entityRef: 'component:default/shop', kind: 'promote', environment: 'staging', commitSha: 'c'.repeat(40), version: '1.2.0' };

describe('the request timeline', () => {
  it('goes from committed to healthy as the cluster catches up, keeping when each stage was reached', () => {
    let t = startTimeline(change, t0);
    expect(t.stages.map(s => `${s.stage}:${s.status}`)).toEqual([
      'committed:done', 'merged:skipped', 'synced:waiting', 'resources-ready:waiting', 'healthy:waiting',
    ]);
    t = advanceTimeline(t, { onBranch: true, argo: { includesCommit: false, syncStatus: 'OutOfSync', healthStatus: 'Healthy', revision: 'b'.repeat(40) } }, at(30));
    expect(waitingOn(t, at(90))).toBe('ArgoCD is OutOfSync at bbbbbbb, for 2 min');
    t = advanceTimeline(t, { onBranch: true, argo: { includesCommit: true, syncStatus: 'Synced', healthStatus: 'Progressing', syncedAt: at(40).toISOString() }, resources: { total: 1, notReady: ['Database shop-db'] }, pods: { healthy: false, imageTags: ['1.1.0'], detail: 'x' } }, at(45));
    expect(t.stages.find(s => s.stage === 'synced')).toMatchObject({ status: 'done', at: at(40).toISOString() });
    expect(waitingOn(t, at(45))).toBe('waiting for Database shop-db to be Ready, for under a minute');
    t = advanceTimeline(t, { onBranch: true, argo: { includesCommit: true, syncStatus: 'Synced', healthStatus: 'Healthy' }, resources: { total: 1, notReady: [] }, pods: { healthy: true, imageTags: ['1.1.0'], detail: '' } }, at(60));
    expect(waitingOn(t, at(60))).toBe('the pods run 1.1.0, not 1.2.0, for under a minute');
    t = advanceTimeline(t, { onBranch: true, argo: { includesCommit: true, syncStatus: 'Synced', healthStatus: 'Healthy' }, resources: { total: 1, notReady: [] }, pods: { healthy: true, imageTags: ['1.2.0'], detail: '' } }, at(75));
    expect(t.done).toBe(true);
    expect(t.stages.map(s => [s.stage, s.status, s.at])).toEqual([
      ['committed', 'done', t0.toISOString()],
      ['merged', 'skipped', t0.toISOString()],
      ['synced', 'done', at(40).toISOString()],
      ['resources-ready', 'done', at(60).toISOString()],
      ['healthy', 'done', at(75).toISOString()],
    ]);
    expect(waitingOn(t, at(80))).toBeUndefined();
  });

  it('waits for a pull request to be merged before anything else', () => {
    let t = startTimeline({ ...change, pullRequestUrl: 'https://github.com/contoso/gitops/pull/7' }, t0);
    t = advanceTimeline(t, { onBranch: false, argo: { includesCommit: false, syncStatus: 'Synced', healthStatus: 'Healthy' } }, at(10));
    expect(waitingOn(t, at(10))).toMatch(/^waiting for the pull request to be merged/);
    t = advanceTimeline(t, { onBranch: true, argo: { includesCommit: true, syncStatus: 'Synced', healthStatus: 'Healthy' } }, at(20));
    expect(t.stages.find(s => s.stage === 'merged')!.status).toBe('done');
    expect(t.stages.find(s => s.stage === 'resources-ready')!.status).toBe('skipped');
  });

  it("stops at a failed sync with ArgoCD's reason", () => {
    let t = startTimeline(change, t0);
    t = advanceTimeline(t, { onBranch: true, argo: { includesCommit: true, syncStatus: 'OutOfSync', healthStatus: 'Degraded', operationPhase: 'Failed', message: 'one or more objects failed to apply' } }, at(20));
    expect(t.done).toBe(true);
    expect(waitingOn(t, at(20))).toBe("synced failed: ArgoCD's sync failed: one or more objects failed to apply");
  });
});

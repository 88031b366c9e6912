import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { advanceTimeline, ChangeTimeline, startTimeline } from '@internal/plugin-gitops-common';
import { createRolloutFollowAction } from './follow';

const t0 = new Date('2026-12-02T12:00:00.000Z');
const base = startTimeline(
  { id: 't1', entityRef: 'component:default/shop', kind: 'promote', environment: 'staging', commitSha: 'c'.repeat(40), version: '1.2.0', taskId: 'task-1' },
  t0,
);
const synced = advanceTimeline(base, { onBranch: true, argo: { includesCommit: true, syncStatus: 'Synced', healthStatus: 'Progressing' } }, new Date(t0.getTime() + 17_000));
const healthy = advanceTimeline(synced, { onBranch: true, argo: { includesCommit: true, syncStatus: 'Synced', healthStatus: 'Healthy' }, pods: { healthy: true, imageTags: ['1.2.0'], detail: '' } }, new Date(t0.getTime() + 25_000));

describe('gitops:rollout:follow', () => {
  it('logs each stage as it arrives, and ends when the pods are healthy', async () => {
    const answers: ChangeTimeline[][] = [[base], [synced], [healthy]];
    const action = createRolloutFollowAction({ timelines: { ofTask: async () => answers.shift() ?? [healthy] }, intervalMs: 1 });
    const ctx = createMockActionContext({ input: { minutes: 1 } as any, task: { id: 'task-1' }, logger: mockServices.logger.mock() });
    await action.handler(ctx);
    const lines = (ctx.logger.info as jest.Mock).mock.calls.map(c => c[0]);
    expect(lines).toEqual([
      'staging: Committed at 2026-12-02T12:00:00.000Z (0 s after the commit)',
      'staging: ArgoCD synced at 2026-12-02T12:00:17.000Z (17 s after the commit)',
      'staging: Pods healthy at 2026-12-02T12:00:25.000Z (25 s after the commit)',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('state', 'healthy');
  });

  it('fails with the reason when a stage fails', async () => {
    const failed = advanceTimeline(base, { onBranch: true, argo: { includesCommit: true, syncStatus: 'OutOfSync', healthStatus: 'Degraded', operationPhase: 'Failed', message: 'the Deployment is invalid' } }, t0);
    const action = createRolloutFollowAction({ timelines: { ofTask: async () => [failed] }, intervalMs: 1 });
    await expect(
      action.handler(createMockActionContext({ input: { minutes: 1 } as any, task: { id: 'task-1' } })),
    ).rejects.toThrow("The rollout to staging failed: synced failed: ArgoCD's sync failed: the Deployment is invalid");
  });

  it('ends with what still waits when its time is up, and at once with 0 minutes', async () => {
    const action = createRolloutFollowAction({ timelines: { ofTask: async () => [base] }, intervalMs: 1 });
    const ctx = createMockActionContext({ input: { minutes: 0 } as any, task: { id: 'task-1' }, logger: mockServices.logger.mock() });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('state', 'waiting');
    expect((ctx.logger.warn as jest.Mock).mock.calls[0][0]).toMatch(/^staging: still waiting for ArgoCD to sync the commit, for/);
  });
});

import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ChangeTimeline, TIMELINE_STAGE_TITLES, waitingOn } from '@internal/plugin-gitops-common';
import { z } from 'zod/v3';
import { parseInput } from './input';

const schema = z.object({
  minutes: z
    .number()
    .min(0)
    .max(60)
    .default(10)
    .describe('How long to follow; 0 ends at the commit. The rollout goes on either way.'),
});


/**
 * gitops:rollout:follow: the request timeline of this task's commits on the task page, one log
 * line per stage as it is reached, until the pods are healthy, a stage fails, or time is up.
 */
export function createRolloutFollowAction(deps: {
  timelines: { ofTask(taskId: string): Promise<ChangeTimeline[]> };
  /** How often to look again; tests make it short. */
  intervalMs?: number;
}) {
  return createTemplateAction({
    id: 'gitops:rollout:follow',
    description:
      "Follows the request timeline of this task's commits (committed, merged, ArgoCD synced, Crossplane Ready, pods healthy) and logs each stage as it arrives. It fails when a stage fails, and ends with what is still waiting when its time is up.",
    schema: {
      input: () => schema,
      output: zod => zod.object({ state: zod.enum(['healthy', 'failed', 'waiting', 'nothing']) }),
    },
    async handler(ctx) {
      const { minutes } = parseInput(schema, ctx.input, 'follow');
      const deadline = Date.now() + minutes * 60_000;
      const seen = new Set<string>();
      for (;;) {
        const timelines = await deps.timelines.ofTask(ctx.task.id);
        if (timelines.length === 0) {
          ctx.logger.info('This task committed nothing new, so there is no rollout to follow.');
          ctx.output('state', 'nothing');
          return;
        }
        for (const t of timelines) {
          for (const s of t.stages) {
            const key = `${t.id}/${s.stage}/${s.status}`;
            if (seen.has(key) || s.status === 'waiting' || s.status === 'skipped') continue;
            seen.add(key);
            const after = Math.round((Date.parse(s.at) - Date.parse(t.createdAt)) / 1000);
            ctx.logger.info(
              `${t.environment}: ${TIMELINE_STAGE_TITLES[s.stage]}${s.status === 'failed' ? ' FAILED' : ''} at ${s.at} (${after} s after the commit)${s.detail ? `: ${s.detail}` : ''}`,
            );
          }
        }
        const failed = timelines.find(t => t.stages.some(s => s.status === 'failed'));
        if (failed) {
          throw new Error(`The rollout to ${failed.environment} failed: ${waitingOn(failed, new Date())}`);
        }
        if (timelines.every(t => t.done)) {
          ctx.output('state', 'healthy');
          return;
        }
        if (Date.now() >= deadline) {
          for (const t of timelines.filter(x => !x.done)) {
            ctx.logger.warn(`${t.environment}: still ${waitingOn(t, new Date())}; the Deployments tab goes on following it.`);
          }
          ctx.output('state', 'waiting');
          return;
        }
        await new Promise(r => setTimeout(r, deps.intervalMs ?? 3000));
        ctx.signal?.throwIfAborted();
      }
    },
  });
}

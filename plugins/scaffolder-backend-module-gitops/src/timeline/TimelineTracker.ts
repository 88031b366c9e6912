import { AuthService, DiscoveryService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  advanceTimeline,
  ChangeTimeline,
  startTimeline,
  TimelineObservation,
  timelineChannel,
} from '@internal/plugin-gitops-common';
import { gitAuthFor } from '@internal/plugin-platform-node';
import { randomUUID } from 'crypto';
import { readGitOpsSettings } from '../config';
import { environmentsOf, resourcesOf } from '../deployments/sourceHealth';
import { withHistory } from '../git/history';
import { TimelineStore } from './TimelineStore';

/** The signal channel a component's timelines are announced on. */

export type RecordedChange = {
  entityRef: string;
  kind: string;
  environments: string[];
  commitSha: string;
  commitUrl?: string;
  version?: string;
  pullRequestUrl?: string;
  taskId?: string;
};

/** How long a change is watched before it is left as it stands. */
const WATCH_HOURS = 24;

/**
 * Records each change the golden paths commit, then follows it through ArgoCD, Crossplane and
 * the pods on every poll, from what the health plugin reads of the clusters; each move is
 * kept in the database and announced on the component's signal channel.
 */
export class TimelineTracker {
  constructor(
    private readonly deps: {
      store: TimelineStore;
      config: Config;
      integrations: ScmIntegrationRegistry;
      auth: AuthService;
      discovery: DiscoveryService;
      logger: LoggerService;
      signals?: { publish(signal: { recipients: { type: 'broadcast' }; channel: string; message: any }): Promise<void> };
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  async record(change: RecordedChange): Promise<ChangeTimeline[]> {
    const timelines = change.environments.map(environment =>
      startTimeline(
        {
          id: randomUUID(),
          entityRef: change.entityRef,
          kind: change.kind,
          environment,
          commitSha: change.commitSha,
          ...(change.commitUrl ? { commitUrl: change.commitUrl } : {}),
          ...(change.version ? { version: change.version } : {}),
          ...(change.pullRequestUrl ? { pullRequestUrl: change.pullRequestUrl } : {}),
          ...(change.taskId ? { taskId: change.taskId } : {}),
        },
        this.now(),
      ),
    );
    for (const t of timelines) await this.deps.store.save(t);
    await this.announce(change.entityRef);
    return timelines;
  }

  /** One look at every open timeline; returns the ones that moved. */
  async poll(): Promise<ChangeTimeline[]> {
    const open = await this.deps.store.open();
    if (open.length === 0) return [];
    const settings = readGitOpsSettings(this.deps.config);
    const auth = await gitAuthFor(settings.repoUrl, this.deps.integrations, settings.credentials, this.deps.auth);
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const moved: ChangeTimeline[] = [];
    await withHistory({ repoUrl: settings.repoUrl, branch: settings.branch, auth }, async history => {
      const head = await history.head();
      const byEntity = new Map<string, ChangeTimeline[]>();
      for (const t of open) byEntity.set(t.entityRef, [...(byEntity.get(t.entityRef) ?? []), t]);
      for (const [entityRef, timelines] of byEntity) {
        const component = entityRef.replace(/^component:[^/]*\//, '');
        const [environments, resources] = await Promise.all([
          environmentsOf(this.deps, component, credentials),
          resourcesOf(this.deps, component, credentials),
        ]);
        for (const t of timelines) {
          const now = this.now();
          if (now.getTime() - Date.parse(t.createdAt) > WATCH_HOURS * 3600_000) {
            await this.deps.store.save({ ...t, done: true });
            continue;
          }
          const row = typeof environments === 'string' ? undefined : environments.environments.find(r => r.environment === t.environment);
          const app = row?.application;
          const envResources = typeof resources === 'string' ? [] : resources.resources.filter(r => r.environment === t.environment);
          const obs: TimelineObservation = {
            onBranch: head ? Boolean(await history.includes(head, t.commitSha)) : false,
            ...(app
              ? {
                  argo: {
                    includesCommit: app.revision ? Boolean(await history.includes(app.revision, t.commitSha)) : false,
                    syncStatus: app.syncStatus,
                    healthStatus: app.healthStatus,
                    operationPhase: app.operationPhase,
                    // The Health card's words for it, with what to do, before ArgoCD's own.
                    message:
                      row?.verdict.reasons.find(r => /ArgoCD/.test(r.source) && r.state !== 'Healthy')?.message ??
                      app.message,
                    syncedAt: app.syncedAt,
                    revision: app.revision,
                  },
                }
              : {}),
            ...(typeof resources === 'string'
              ? {}
              : {
                  resources: {
                    total: envResources.length,
                    notReady: envResources.filter(r => r.ready !== 'True').map(r => `${r.kind} ${r.name}`),
                  },
                }),
            ...(row
              ? {
                  pods: {
                    healthy: row.verdict.state === 'Healthy' && row.pods.total > 0 && row.pods.ready === row.pods.total,
                    imageTags: row.imageTags,
                    detail: `${row.pods.ready} of ${row.pods.total} pods ready`,
                  },
                }
              : {}),
          };
          const next = advanceTimeline(t, obs, now);
          if (JSON.stringify(next) !== JSON.stringify(t)) {
            await this.deps.store.save(next);
            moved.push(next);
          }
        }
      }
    });
    for (const entityRef of new Set(moved.map(t => t.entityRef))) await this.announce(entityRef);
    return moved;
  }

  private async announce(entityRef: string) {
    await this.deps.signals
      ?.publish({ recipients: { type: 'broadcast' }, channel: timelineChannel(entityRef), message: { entityRef } })
      .catch(error => this.deps.logger.warn(`Could not announce the timeline of ${entityRef}: ${error}`));
  }
}

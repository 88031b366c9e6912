/** The stages a change goes through after its commit, in order. */
export const TIMELINE_STAGES = ['committed', 'merged', 'synced', 'resources-ready', 'healthy'] as const;
export type TimelineStageName = (typeof TIMELINE_STAGES)[number];

/** Each stage as the task page and the Deployments view name it. */
export const TIMELINE_STAGE_TITLES: Record<TimelineStageName, string> = {
  committed: 'Committed',
  merged: 'Pull request merged',
  synced: 'ArgoCD synced',
  'resources-ready': 'Cloud resources Ready',
  healthy: 'Pods healthy',
};

export type TimelineStage = {
  stage: TimelineStageName;
  /** `skipped`: does not apply (no pull request, no Crossplane resources). */
  status: 'done' | 'waiting' | 'failed' | 'skipped';
  /** When it was reached (done, failed), or since when it waits. */
  at: string;
  link?: string;
  /** What it waits on, or why it failed, in words. */
  detail?: string;
};

/** One change of one environment of a component, from its commit until its pods are healthy. */
export type ChangeTimeline = {
  id: string;
  entityRef: string;
  /** What made the change: create, promote, rollback, preview. */
  kind: string;
  environment: string;
  commitSha: string;
  /** The image tag or digest the change deploys, when it deploys one. */
  version?: string;
  pullRequestUrl?: string;
  taskId?: string;
  createdAt: string;
  stages: TimelineStage[];
  /** Every stage done or skipped, or one failed: nothing more to watch. */
  done: boolean;
};

/** What the cluster side says for one environment at one moment. */
export type TimelineObservation = {
  /** The commit is on the branch ArgoCD watches (for a pull request: it was merged). */
  onBranch: boolean;
  argo?: {
    /** The synced revision includes the change's commit. */
    includesCommit: boolean;
    syncStatus: string;
    healthStatus: string;
    operationPhase?: string;
    message?: string;
    syncedAt?: string;
    revision?: string;
  };
  /** Crossplane resources of the environment; absent when it has none. */
  resources?: { total: number; notReady: string[] };
  pods?: { healthy: boolean; imageTags: string[]; detail: string };
};

/** A new change's stages: committed now, the rest waiting (merged only with a pull request). */
export function startTimeline(
  change: Omit<ChangeTimeline, 'stages' | 'done' | 'createdAt'> & { commitUrl?: string },
  now: Date,
): ChangeTimeline {
  const at = now.toISOString();
  const { commitUrl, ...rest } = change;
  return {
    ...rest,
    createdAt: at,
    done: false,
    stages: [
      { stage: 'committed', status: 'done', at, ...(commitUrl ? { link: commitUrl } : {}) },
      change.pullRequestUrl
        ? { stage: 'merged', status: 'waiting', at, link: change.pullRequestUrl, detail: 'waiting for the pull request to be merged' }
        : { stage: 'merged', status: 'skipped', at },
      { stage: 'synced', status: 'waiting', at, detail: 'waiting for ArgoCD to sync the commit' },
      { stage: 'resources-ready', status: 'waiting', at, detail: 'waiting for Crossplane' },
      { stage: 'healthy', status: 'waiting', at, detail: 'waiting for the pods' },
    ],
  };
}

/**
 * The timeline after an observation: each stage in order moves on once the one before is done,
 * keeping the time it was first reached; a failed ArgoCD sync stops it with the reason.
 */
export function advanceTimeline(
  timeline: ChangeTimeline,
  obs: TimelineObservation,
  now: Date,
): ChangeTimeline {
  if (timeline.done) return timeline;
  const at = now.toISOString();
  const stages = timeline.stages.map(s => ({ ...s }));
  const get = (name: TimelineStageName) => stages.find(s => s.stage === name)!;
  const ready = (name: TimelineStageName) => ['done', 'skipped'].includes(get(name).status);
  const finish = (name: TimelineStageName, when = at, detail?: string) => {
    const s = get(name);
    if (s.status !== 'waiting') return;
    s.status = 'done';
    s.at = when;
    if (detail) s.detail = detail;
    else delete s.detail;
  };

  if (get('merged').status === 'waiting' && obs.onBranch) finish('merged');
  if (ready('merged')) {
    const argo = obs.argo;
    if (argo && ['Failed', 'Error'].includes(argo.operationPhase ?? '')) {
      const s = get('synced');
      s.status = 'failed';
      s.at = at;
      s.detail = `ArgoCD's sync ${argo.operationPhase === 'Error' ? 'errored' : 'failed'}${argo.message ? `: ${argo.message}` : ''}`;
    } else if (argo?.includesCommit && argo.syncStatus === 'Synced') {
      finish('synced', argo.syncedAt && argo.syncedAt > timeline.createdAt ? argo.syncedAt : at, argo.revision ? `at ${argo.revision.slice(0, 7)}` : undefined);
    } else if (argo) {
      get('synced').detail = `ArgoCD is ${argo.syncStatus}${argo.revision ? ` at ${argo.revision.slice(0, 7)}` : ''}`;
    }
  }
  if (ready('synced')) {
    if (!obs.resources || obs.resources.total === 0) {
      const s = get('resources-ready');
      if (s.status === 'waiting') Object.assign(s, { status: 'skipped', at, detail: undefined });
    } else if (obs.resources.notReady.length === 0) finish('resources-ready');
    else get('resources-ready').detail = `waiting for ${obs.resources.notReady.join(', ')} to be Ready`;
  }
  if (ready('resources-ready') && ready('synced')) {
    const pods = obs.pods;
    const runs = !timeline.version || (pods?.imageTags ?? []).includes(timeline.version);
    if (pods?.healthy && runs) finish('healthy');
    else if (pods) get('healthy').detail = runs ? pods.detail : `the pods run ${pods.imageTags.join(', ') || 'nothing yet'}, not ${timeline.version}`;
  }
  const done =
    stages.some(s => s.status === 'failed') || stages.every(s => s.status === 'done' || s.status === 'skipped');
  return { ...timeline, stages, done };
}

/** The stage a timeline waits on, and for how long, in words; undefined when done. */
export function waitingOn(timeline: ChangeTimeline, now: Date): string | undefined {
  const failed = timeline.stages.find(s => s.status === 'failed');
  if (failed) return `${failed.stage} failed: ${failed.detail ?? 'no reason given'}`;
  const waiting = timeline.stages.find(s => s.status === 'waiting');
  if (!waiting) return undefined;
  const since = timeline.stages
    .filter(s => s.status === 'done' || s.status === 'skipped')
    .map(s => s.at)
    .sort()
    .pop() ?? timeline.createdAt;
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(since)) / 60000));
  return `${waiting.detail ?? `waiting for ${waiting.stage}`}, for ${minutes < 1 ? 'under a minute' : `${minutes} min`}`;
}

/** GET /api/scaffolder/gitops/v1/timeline/:kind/:namespace/:name: the latest changes, newest first. */
/** The signal channel on which a component's timelines announce each move. */
export const timelineChannel = (entityRef: string) => `gitops-timeline:${entityRef.toLowerCase()}`;

export type TimelineResponse = {
  timelines: Array<ChangeTimeline & { waiting?: string }>;
};

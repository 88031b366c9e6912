import { asArray, asString, field } from './narrow';
import { verdictFromReasons } from './state';
import { Reason, Verdict } from './types';

export const ARGOCD_OUT_OF_SYNC_HINT =
  'ArgoCD has not applied the latest commit: check the sync errors or sync manually';

/** What the environments card shows for one ArgoCD Application. Missing fields stay undefined. */
export type ArgoSummary = {
  name?: string;
  /** Synced, OutOfSync or Unknown. */
  syncStatus: string;
  /** Healthy, Progressing, Degraded, Suspended, Missing or Unknown. */
  healthStatus: string;
  revision?: string;
  /** When the last sync operation finished (status.operationState.finishedAt). */
  syncedAt?: string;
  /** Running, Failed, Error, Succeeded or Terminating. */
  operationPhase?: string;
  message?: string;
};

const CONDITION_HINTS: Record<string, string> = {
  ComparisonError:
    'ArgoCD cannot render or compare the manifests in Git: check the path, the kustomization and the revision it points at.',
  SyncError:
    "The sync failed: read the message, then fix the manifest in Git or the ArgoCD project's permissions.",
  InvalidSpecError:
    'The Application itself is invalid: its repository, path or destination cluster is wrong or not allowed by its project.',
};

type ArgoCondition = { type: string; message?: string };

function errorConditions(app: unknown): ArgoCondition[] {
  // ArgoCD's conditions carry no status; "...Error" types are errors, "...Warning" types are not.
  return asArray(field(app, 'status', 'conditions')).flatMap(entry => {
    const type = asString(field(entry, 'type'));
    return type?.endsWith('Error')
      ? [{ type, message: asString(field(entry, 'message')) }]
      : [];
  });
}

export function argoSummary(app: unknown): ArgoSummary {
  const revisions = asArray(field(app, 'status', 'sync', 'revisions'));
  return {
    name: asString(field(app, 'metadata', 'name')),
    syncStatus: asString(field(app, 'status', 'sync', 'status')) ?? 'Unknown',
    healthStatus:
      asString(field(app, 'status', 'health', 'status')) ?? 'Unknown',
    // Multi-source Applications report `revisions` instead of `revision`.
    revision:
      asString(field(app, 'status', 'sync', 'revision')) ??
      asString(revisions[0]),
    ...(asString(field(app, 'status', 'operationState', 'finishedAt'))
      ? { syncedAt: asString(field(app, 'status', 'operationState', 'finishedAt')) }
      : {}),
    operationPhase: asString(field(app, 'status', 'operationState', 'phase')),
    message:
      asString(field(app, 'status', 'operationState', 'message')) ??
      asString(field(app, 'status', 'health', 'message')) ??
      errorConditions(app)[0]?.message,
  };
}

function shortRevision(revision?: string): string {
  if (!revision) return '';
  return ` at ${
    /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision
  }`;
}

export function argoApplicationVerdict(app: unknown): Verdict {
  const summary = argoSummary(app);
  const source = `ArgoCD Application ${summary.name ?? '(unnamed)'}`;
  const {
    syncStatus: sync,
    healthStatus: health,
    operationPhase: phase,
  } = summary;
  const reason = (state: Reason['state'], message: string, hint?: string) => ({
    state,
    source,
    message,
    ...(hint ? { hint } : {}),
  });
  const reasons: Reason[] = errorConditions(app).map(c =>
    reason(
      'Degraded',
      c.message ? `${c.type}: ${c.message}` : c.type,
      CONDITION_HINTS[c.type],
    ),
  );

  const reported =
    asString(field(app, 'status', 'sync', 'status')) ??
    asString(field(app, 'status', 'health', 'status'));
  if (!reported) {
    reasons.push(
      reason(
        'Unknown',
        'ArgoCD has not reported a status for this Application yet',
      ),
    );
    return verdictFromReasons(reasons);
  }

  const statusText = `health ${health}, sync ${sync}${shortRevision(
    summary.revision,
  )}`;
  const failedSync =
    phase === 'Failed' || phase === 'Error'
      ? `; last sync ${phase}${summary.message ? `: ${summary.message}` : ''}`
      : '';
  switch (health) {
    case 'Missing':
      reasons.push(
        reason(
          'Down',
          `Resources are missing from the cluster (${statusText})${failedSync}`,
          'ArgoCD has not created them yet or they were deleted: sync the Application and read its sync errors.',
        ),
      );
      break;
    case 'Degraded':
      reasons.push(
        reason(
          'Degraded',
          `A resource is failing (${statusText})${failedSync}`,
          'ArgoCD sees a resource that is not working, usually a Deployment whose pods are not ready: look at the pods below.',
        ),
      );
      break;
    case 'Suspended':
      reasons.push(
        reason(
          'Degraded',
          `Suspended (${statusText})`,
          'A rollout or CronJob is paused: resume it if that was not intended.',
        ),
      );
      break;
    case 'Progressing':
      reasons.push(reason('Progressing', `Rolling out (${statusText})`));
      break;
    case 'Healthy':
      if (sync === 'Synced') {
        reasons.push(
          reason(
            'Healthy',
            `Healthy and Synced${shortRevision(summary.revision)}`,
          ),
        );
      } else if (sync === 'OutOfSync') {
        reasons.push(
          phase === 'Running'
            ? reason('Progressing', `Syncing (${statusText})`)
            : reason(
                'Degraded',
                `Out of sync with Git (${statusText})${failedSync}`,
                ARGOCD_OUT_OF_SYNC_HINT,
              ),
        );
      } else {
        reasons.push(
          reason(
            'Unknown',
            `ArgoCD cannot compare the Application with Git (${statusText})`,
          ),
        );
      }
      break;
    default:
      reasons.push(
        reason('Unknown', `ArgoCD does not know the health (${statusText})`),
      );
  }
  return verdictFromReasons(reasons);
}

import { asString, Condition, field, readConditions } from './narrow';
import { verdictFromReasons } from './state';
import { HealthState, Reason, Verdict } from './types';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export type CrossplaneMessage = {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  /** What the condition usually means and what to do; only for conditions that are not True. */
  explanation?: string;
};

/** What the cloud resources card shows for one Crossplane resource (composite, claim or managed). */
export type CrossplaneSummary = {
  kind?: string;
  name?: string;
  /** Status of the Ready condition, Unknown when absent. */
  ready: ConditionStatus;
  synced: ConditionStatus;
  messages: CrossplaneMessage[];
  /** Absent when the resource writes no connection secret. `exists` is undefined when not checked. */
  connectionSecret?: { name: string; exists?: boolean };
};

export const RECONCILE_ERROR_EXPLANATION =
  "Crossplane could not apply the resource to Azure: usually a missing permission of the provider's identity, an invalid parameter, or a name already taken in Azure. Read the message, fix the XRD input or the provider's role assignment.";

const AZURE_REFUSED =
  'Azure refused the last create or update: read the message (a name already taken, a quota, a size not offered in the region) and fix the input in Git.';

// Checked before the reason: ReconcileError covers many causes and the message names the actual one.
const MESSAGE_EXPLANATIONS: Array<[RegExp, string]> = [
  [
    /AuthorizationFailed|does not have authorization|StatusCode=403/i,
    "The provider's Azure identity is missing a role assignment for this action: grant it on the resource group (see the platform's identity setup).",
  ],
  [
    /AlreadyTaken|NameNotAvailable|already exists|already in use/i,
    'The name is already taken in Azure; many names are global (storage accounts, database servers, key vaults). Choose another name in the request.',
  ],
  [
    /QuotaExceeded|quota/i,
    'The Azure subscription has reached a quota for this size in this region: request more quota or pick another size or region.',
  ],
  [
    /cannot compose resources|cannot run Composition pipeline|pipeline step/i,
    'Crossplane could not compose the resource: a function in the Composition pipeline failed or the input does not fit the Composition. Read the message, then fix the input or the Composition.',
  ],
  [
    /cannot resolve references|cannot resolve/i,
    'A resource it refers to (resource group, server, network) does not exist or is not ready yet. Crossplane retries; look at that resource first.',
  ],
  [
    /ProviderConfig|cannot get credentials|connect failed/i,
    "The provider cannot sign in to Azure: its ProviderConfig or the identity it uses is missing or wrong. That is the platform team's to fix.",
  ],
];

const REASON_EXPLANATIONS: Record<string, string> = {
  ReconcileError: RECONCILE_ERROR_EXPLANATION,
  ReconcilePaused:
    'Crossplane is told to leave it alone (the crossplane.io/paused annotation or its management policies): changes in Git are not applied until that is removed.',
  Creating: 'Azure is creating it; databases take 5-15 minutes.',
  Waiting:
    'The claim is waiting for its composite resource to become ready; the composed resources tell what is still missing.',
  Deleting:
    'Crossplane is deleting it in Azure: it was removed from Git or deleted by hand, and the workload will lose it.',
  Unavailable:
    'It exists in Azure but is not usable now: check its state in the Azure portal and the provider events.',
  ApplyFailure: AZURE_REFUSED,
  AsyncCreateFailure: AZURE_REFUSED,
  AsyncUpdateFailure: AZURE_REFUSED,
  DestroyFailure:
    'Azure refused to delete it, often because something still depends on it or a delete lock is set.',
  AsyncDeleteFailure:
    'Azure refused to delete it, often because something still depends on it or a delete lock is set.',
};

/** Plain-language meaning of a condition that is not True, or undefined when there is nothing to add. */
function explainCondition(condition: {
  status: string;
  reason?: string;
  message?: string;
}): string | undefined {
  if (condition.status === 'True') return undefined;
  const message = condition.message ?? '';
  const byMessage = MESSAGE_EXPLANATIONS.find(([pattern]) =>
    pattern.test(message),
  );
  return (
    byMessage?.[1] ??
    (condition.reason ? REASON_EXPLANATIONS[condition.reason] : undefined)
  );
}

function statusOf(condition?: Condition): ConditionStatus {
  return condition?.status ?? 'Unknown';
}

/** Ready=False reasons that say "wait": said next to a failure, they would contradict it. */
const PROGRESS_REASONS = new Set(['Creating', 'Waiting']);

/** A condition saying Crossplane or Azure refused the resource, when there is one. */
function failureOf(conditions: Condition[]): Condition | undefined {
  return (
    conditions.find(c => c.type === 'Synced' && c.status === 'False') ??
    conditions.find(c => c.type === 'LastAsyncOperation' && c.status === 'False')
  );
}

export function crossplaneSummary(
  resource: unknown,
  secretExists?: boolean,
): CrossplaneSummary {
  const conditions = readConditions(resource);
  const failed = failureOf(conditions) !== undefined;
  // Crossplane v2 composites name the secret directly; v1 claims use writeConnectionSecretToRef.
  const secretName =
    asString(field(resource, 'spec', 'connectionSecretName')) ??
    asString(field(resource, 'spec', 'writeConnectionSecretToRef', 'name'));
  return {
    kind: asString(field(resource, 'kind')),
    name: asString(field(resource, 'metadata', 'name')),
    ready: statusOf(conditions.find(c => c.type === 'Ready')),
    synced: statusOf(conditions.find(c => c.type === 'Synced')),
    messages: conditions.map(c => {
      // "Creating, takes 5-15 minutes" is not true of a resource Azure refused.
      const waitingOnFailure =
        failed && c.type === 'Ready' && PROGRESS_REASONS.has(c.reason ?? '');
      const explanation = waitingOnFailure
        ? 'It will not become ready until the failure Crossplane reports for it is fixed.'
        : explainCondition(c);
      return explanation ? { ...c, explanation } : { ...c };
    }),
    ...(secretName
      ? {
          connectionSecret: {
            name: secretName,
            ...(typeof secretExists === 'boolean'
              ? { exists: secretExists }
              : {}),
          },
        }
      : {}),
  };
}

/** Ready=False by reason; any other reason is Degraded. */
const READY_FALSE_STATE: Record<string, HealthState> = {
  Creating: 'Progressing',
  Waiting: 'Progressing',
  // Being deleted: the workload is about to lose it.
  Deleting: 'Down',
  Unavailable: 'Degraded',
};

function detail(condition: Condition): string {
  const parts = [condition.reason, condition.message].filter(Boolean);
  return parts.length > 0 ? `: ${parts.join(': ')}` : '';
}

export function crossplaneVerdict(
  resource: unknown,
  connectionSecretExists?: boolean,
): Verdict {
  const conditions = readConditions(resource);
  const kind = asString(field(resource, 'kind')) ?? 'Crossplane resource';
  const source = `${kind} ${
    asString(field(resource, 'metadata', 'name')) ?? '(unnamed)'
  }`;
  const reason = (
    state: Reason['state'],
    message: string,
    hint?: string,
  ): Reason => ({
    state,
    source,
    message,
    ...(hint ? { hint } : {}),
  });
  const ready = conditions.find(c => c.type === 'Ready');
  const synced = conditions.find(c => c.type === 'Synced');

  if (!ready && !synced) {
    return verdictFromReasons([
      reason(
        'Unknown',
        'Crossplane has not reported Ready or Synced conditions for it yet',
      ),
    ]);
  }

  // One resource, one reason: a refused create or update is the state, whatever Ready says.
  const failure = failureOf(conditions);
  if (failure) {
    const what =
      failure.type === 'Synced'
        ? `Crossplane cannot apply it (Synced is False${detail(failure)})`
        : `The last operation in Azure failed${detail(failure)}`;
    const notReady = ready?.status === 'False' ? ', so it is not ready' : '';
    // Being deleted stays Down: the workload is about to lose it either way.
    const state =
      ready?.status === 'False' && READY_FALSE_STATE[ready.reason ?? ''] === 'Down'
        ? 'Down'
        : 'Degraded';
    return verdictFromReasons([
      reason(state, `${what}${notReady}`, explainCondition(failure)),
    ]);
  }

  const reasons: Reason[] = [];
  if (ready?.status === 'True') {
    if (connectionSecretExists === false) {
      const secret = crossplaneSummary(resource).connectionSecret?.name;
      reasons.push(
        reason(
          'Degraded',
          `Ready, but its connection secret${
            secret ? ` ${secret}` : ''
          } does not exist`,
          'The workload cannot connect yet: Crossplane writes the secret once the resource is ready. If it stays missing, check the connection details of the Composition.',
        ),
      );
    } else if (reasons.length === 0) {
      reasons.push(
        reason(
          'Healthy',
          synced?.status === 'True' ? 'Ready and Synced' : 'Ready',
        ),
      );
    }
  } else if (ready?.status === 'False') {
    const state = READY_FALSE_STATE[ready.reason ?? ''] ?? 'Degraded';
    reasons.push(
      reason(state, `Not ready${detail(ready)}`, explainCondition(ready)),
    );
  } else if (synced?.status === 'True') {
    reasons.push(
      reason(
        'Progressing',
        'Crossplane applied it; Azure has not reported it ready yet',
      ),
    );
  } else if (reasons.length === 0) {
    reasons.push(
      reason('Unknown', 'Crossplane has not reported whether it is ready'),
    );
  }
  return verdictFromReasons(reasons);
}

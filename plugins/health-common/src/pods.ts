import {
  asArray,
  asNumber,
  asRecord,
  asString,
  field,
  readConditions,
} from './narrow';
import { verdictFromReasons } from './state';
import { Reason, Verdict } from './types';

/** Waiting reasons that do not go away by waiting. Listed in the order their hint is preferred. */
const FAILING_REASONS = [
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'Unschedulable',
];
const STARTING_REASONS = ['ContainerCreating', 'PodInitializing'];

/** A pod not ready this long after its containers started is stuck, not starting. */
export const STARTUP_GRACE_MS = 5 * 60 * 1000;

const HINTS: Record<string, string> = {
  CrashLoopBackOff:
    'A container starts and exits again. Its logs from the previous run (kubectl logs --previous) say why: often a missing setting or a database it cannot reach.',
  ImagePullBackOff:
    "The image cannot be pulled: check that the tag exists in the registry and that the cluster's kubelet identity has AcrPull on it.",
  ErrImagePull:
    "The image cannot be pulled: check that the tag exists in the registry and that the cluster's kubelet identity has AcrPull on it.",
  InvalidImageName:
    'The image reference is not valid: check the image name and tag in the GitOps repository.',
  CreateContainerConfigError:
    'A ConfigMap or Secret the pod refers to does not exist: check its name, or wait for the Crossplane connection secret to be written.',
  CreateContainerError:
    'The container runtime could not create the container: check the command, volume mounts and security context.',
  RunContainerError:
    'The container runtime could not start the container: check the command, volume mounts and security context.',
  Unschedulable:
    'No node can take the pod: the node pool lacks CPU or memory, or a node selector or toleration matches no node.',
};

export type PodSummary = {
  /** Pods counted; terminating and finished (Succeeded/Failed) pods are left out. */
  total: number;
  ready: number;
  /** Sum of container restarts, as `kubectl get pods` shows them. */
  restarts: number;
  /** Number of pods with a container waiting for each reason (a pod counts once per reason). */
  waitingReasons: Record<string, number>;
  /** The first message Kubernetes gave for each waiting reason. */
  waitingMessages: Record<string, string>;
  /** Not ready but on the way: Pending, ContainerCreating, or started less than STARTUP_GRACE_MS ago. */
  pending: number;
  /** Not ready because of a reason in FAILING_REASONS (CrashLoopBackOff, ImagePullBackOff...). */
  crashLooping: number;
  /** Counted in total but with a missing or unreadable status. */
  unknown: number;
  terminating: number;
  /** Distinct container images of the pods, for the environments card. */
  images: string[];
  /**
   * Why a container in each waiting reason last died (`lastState.terminated`), first seen:
   * OOMKilled, Error with its exit code... For a CrashLoopBackOff this is the cause.
   */
  lastTerminations: Record<string, Termination>;
  /** The image of the first container waiting for each reason, for image pull reasons. */
  waitingImages: Record<string, string>;
};

/** How a container last ended, from `status.containerStatuses[].lastState.terminated`. */
export type Termination = { container: string; reason: string; exitCode?: number };

export function summarizePods(
  pods: unknown[],
  now: Date = new Date(),
): PodSummary {
  const summary: PodSummary = {
    total: 0,
    ready: 0,
    restarts: 0,
    waitingReasons: {},
    waitingMessages: {},
    pending: 0,
    crashLooping: 0,
    unknown: 0,
    terminating: 0,
    images: [],
    lastTerminations: {},
    waitingImages: {},
  };
  const images = new Set<string>();

  for (const pod of asArray(pods)) {
    if (!asRecord(pod)) continue;
    if (field(pod, 'metadata', 'deletionTimestamp') !== undefined) {
      summary.terminating += 1;
      continue;
    }
    const status = asRecord(field(pod, 'status'));
    const phase = asString(status?.phase);
    // Finished pods are history (completed Jobs, evicted pods a ReplicaSet has replaced).
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    summary.total += 1;
    for (const container of asArray(field(pod, 'spec', 'containers'))) {
      const image = asString(field(container, 'image'));
      if (image) images.add(image);
    }
    if (!status || (!phase && !Array.isArray(status.conditions))) {
      summary.unknown += 1;
      continue;
    }

    const reasons = new Set<string>();
    const containers = [
      ...asArray(status.initContainerStatuses),
      ...asArray(status.containerStatuses),
    ];
    for (const container of containers) {
      summary.restarts += asNumber(field(container, 'restartCount')) ?? 0;
      const reason = asString(field(container, 'state', 'waiting', 'reason'));
      if (!reason) continue;
      reasons.add(reason);
      const message = asString(field(container, 'state', 'waiting', 'message'));
      if (message && !summary.waitingMessages[reason]) {
        summary.waitingMessages[reason] = message;
      }
      const image = asString(field(container, 'image'));
      if (image && !summary.waitingImages[reason]) summary.waitingImages[reason] = image;
      const died = asString(field(container, 'lastState', 'terminated', 'reason'));
      if (died && !summary.lastTerminations[reason]) {
        const exitCode = asNumber(field(container, 'lastState', 'terminated', 'exitCode'));
        summary.lastTerminations[reason] = {
          container: asString(field(container, 'name')) ?? 'a container',
          reason: died,
          ...(exitCode !== undefined ? { exitCode } : {}),
        };
      }
    }
    const conditions = readConditions(pod);
    const scheduled = conditions.find(c => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      reasons.add('Unschedulable');
      if (scheduled.message && !summary.waitingMessages.Unschedulable) {
        summary.waitingMessages.Unschedulable = scheduled.message;
      }
    }
    for (const reason of reasons) {
      summary.waitingReasons[reason] =
        (summary.waitingReasons[reason] ?? 0) + 1;
    }

    if (conditions.find(c => c.type === 'Ready')?.status === 'True') {
      summary.ready += 1;
    } else if (FAILING_REASONS.some(r => reasons.has(r))) {
      summary.crashLooping += 1;
    } else if (
      phase === 'Pending' ||
      STARTING_REASONS.some(r => reasons.has(r)) ||
      startedRecently(containers, status.startTime, now)
    ) {
      summary.pending += 1;
    }
  }
  summary.images = [...images].sort();
  return summary;
}

/**
 * The parts of a pod that summarizePods reads: `summarizePods(pods.map(prunePod))` equals
 * `summarizePods(pods)`. A watch keeps every labelled pod of a cluster in memory; a real pod is
 * 5 to 15 KB of JSON (managedFields, env, volumes), its pruned form a few hundred bytes.
 */
export function prunePod(pod: unknown): unknown {
  const record = asRecord(pod);
  if (!record) return pod;
  const deletionTimestamp = field(pod, 'metadata', 'deletionTimestamp');
  const status = asRecord(record.status);
  return {
    metadata: deletionTimestamp === undefined ? {} : { deletionTimestamp },
    spec: {
      containers: asArray(field(pod, 'spec', 'containers')).map(container => ({
        image: field(container, 'image'),
      })),
    },
    // A status of another shape stays as it is: summarizePods counts the pod as unknown.
    status: status
      ? {
          phase: status.phase,
          startTime: status.startTime,
          conditions: Array.isArray(status.conditions)
            ? status.conditions.map(condition =>
                pick(condition, ['type', 'status', 'reason', 'message']),
              )
            : status.conditions,
          initContainerStatuses: pruneContainerStatuses(
            status.initContainerStatuses,
          ),
          containerStatuses: pruneContainerStatuses(status.containerStatuses),
        }
      : record.status,
  };
}

function pruneContainerStatuses(statuses: unknown): unknown {
  return asArray(statuses).map(container =>
    asRecord(container)
      ? {
          name: field(container, 'name'),
          image: field(container, 'image'),
          restartCount: field(container, 'restartCount'),
          lastState: {
            terminated: pick(field(container, 'lastState', 'terminated'), [
              'reason',
              'exitCode',
            ]),
          },
          state: {
            waiting: pick(field(container, 'state', 'waiting'), [
              'reason',
              'message',
            ]),
            running: pick(field(container, 'state', 'running'), ['startedAt']),
          },
        }
      : container,
  );
}

function pick(value: unknown, keys: string[]): unknown {
  const record = asRecord(value);
  if (!record) return value;
  return Object.fromEntries(keys.map(key => [key, record[key]]));
}

function startedRecently(
  containers: unknown[],
  podStartTime: unknown,
  now: Date,
): boolean {
  const times = containers
    .map(c => asString(field(c, 'state', 'running', 'startedAt')))
    .concat(asString(podStartTime))
    .map(t => (t ? Date.parse(t) : NaN))
    .filter(t => !Number.isNaN(t));
  if (times.length === 0) return false;
  return now.getTime() - Math.max(...times) < STARTUP_GRACE_MS;
}

const SOURCE = 'Kubernetes pods';

function describePods(
  summary: PodSummary,
  desiredReplicas?: number,
): string {
  let head = `${summary.ready} of ${summary.total} pods ready`;
  if (desiredReplicas !== undefined && desiredReplicas !== summary.total) {
    head += ` (${desiredReplicas} desired)`;
  }
  const parts = [head];
  for (const [reason, count] of Object.entries(summary.waitingReasons)) {
    parts.push(`${count} in ${reason}`);
  }
  if (summary.unknown > 0) parts.push(`${summary.unknown} without a status`);
  if (summary.restarts > 0) parts.push(`${summary.restarts} restarts`);
  return parts.join('; ');
}

export function podsVerdict(
  summary: PodSummary,
  desiredReplicas?: number,
): Verdict {
  const desired = asNumber(desiredReplicas);
  const reason = (state: Reason['state'], message: string, hint?: string) =>
    verdictFromReasons([
      { state, source: SOURCE, message, ...(hint ? { hint } : {}) },
    ]);

  if (summary.total === 0) {
    return desired !== undefined && desired > 0
      ? reason(
          'Down',
          `No pods running; ${desired} desired`,
          'The Deployment creates no pods: read its events and those of its ReplicaSet (quota, admission policy, service account).',
        )
      : reason(
          'Unknown',
          'No pods found for this component',
          'Nothing runs yet, or the pods lack the backstage.io/kubernetes-id label.',
        );
  }
  if (summary.unknown === summary.total) {
    return reason(
      'Unknown',
      'Kubernetes has not reported a status for the pods',
    );
  }

  const message = describePods(summary, desired);
  const known = summary.total - summary.unknown;
  const stuck = known - summary.ready - summary.crashLooping - summary.pending;

  if (summary.crashLooping > 0) {
    const failing = FAILING_REASONS.find(r => summary.waitingReasons[r]);
    return reason(
      summary.ready === 0 ? 'Down' : 'Degraded',
      message,
      failing ? failingHint(failing, summary) : undefined,
    );
  }
  if (summary.pending > 0) {
    return reason(
      'Progressing',
      message,
      'Pods are being scheduled or started.',
    );
  }
  if (stuck > 0) {
    // Nothing serving traffic is Down even when Kubernetes gives no reason.
    return reason(
      summary.ready === 0 ? 'Down' : 'Degraded',
      message,
      'The containers run but do not pass their readiness probe: check the probe path and port, and the logs.',
    );
  }
  if (desired !== undefined && summary.ready < desired) {
    return reason('Progressing', message, 'The Deployment is scaling up.');
  }
  return reason('Healthy', message);
}

function failingHint(reason: string, summary: PodSummary): string {
  const kubernetesMessage = summary.waitingMessages[reason];
  if (reason === 'CrashLoopBackOff') {
    // Its own message is only "back-off 5m0s restarting...": the cause is how it last ended.
    return crashHint(summary.lastTerminations[reason]) ?? HINTS[reason];
  }
  if (reason === 'ImagePullBackOff' || reason === 'ErrImagePull') {
    return imagePullHint(summary.waitingImages[reason], kubernetesMessage);
  }
  const hint = HINTS[reason];
  return kubernetesMessage ? `${hint} Kubernetes says: ${kubernetesMessage}` : hint;
}

function crashHint(last?: Termination): string | undefined {
  if (!last) return undefined;
  if (last.reason === 'OOMKilled') {
    return `Container ${last.container} was killed for running out of memory (OOMKilled). Raise its memory limit (resources.limits.memory, or a larger size in the golden path), or find what holds the memory.`;
  }
  const code = last.exitCode !== undefined ? ` with exit code ${last.exitCode}` : '';
  return `Container ${last.container} last ended${code} (${last.reason}). Its logs from that run say why (kubectl logs --previous -c ${last.container}): often a missing setting or a database it cannot reach.`;
}

function imagePullHint(specImage?: string, kubernetesMessage?: string): string {
  const image = kubernetesMessage?.match(/image "([^"]+)"/)?.[1] ?? specImage;
  const named = image ? `The image ${image}` : 'The image';
  const says = kubernetesMessage ? ` Kubernetes says: ${kubernetesMessage}` : '';
  if (kubernetesMessage && /not found|manifest unknown|does not exist/i.test(kubernetesMessage)) {
    return `${named} is not in the registry: check the tag in the GitOps repository, and that CI pushed it.${says}`;
  }
  if (kubernetesMessage && /unauthorized|authentication required|401|403|denied|forbidden/i.test(kubernetesMessage)) {
    return `${named} exists but the cluster may not pull it: give the cluster's kubelet identity AcrPull on the registry (az aks update --attach-acr).${says}`;
  }
  return `${named} cannot be pulled: check that the tag exists in the registry and that the cluster's kubelet identity has AcrPull on it.${says}`;
}

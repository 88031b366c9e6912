import {
  applicationName,
  ARGOCD_API_VERSION,
  ARGOCD_KINDS,
  CROSSPLANE_API_VERSION,
  CROSSPLANE_KINDS,
  ENVIRONMENT_LABEL,
  KUBERNETES_ID_LABEL,
  OWNER_ANNOTATION,
  ResourceKind,
} from '@internal/plugin-platform-common';
import { createHash } from 'node:crypto';
import healthyPod from './fixtures/k9s-po.json';
import crashingPod from './fixtures/pod-crashing.json';
import missingConfigMapPod from './fixtures/pod-missing-cm.json';

export type KubernetesObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

const POD_FIXTURES = {
  healthy: healthyPod,
  crashing: crashingPod,
  missingConfigMap: missingConfigMapPod,
};

/**
 * A pod from a real payload, moved to the component: only its name, namespace, labels and
 * images change. `healthy` is Running and ready; `crashing` has 2 of 3 containers in
 * CrashLoopBackOff (161 restarts); `missingConfigMap` is Pending in CreateContainerConfigError.
 * Given an `owner` ReplicaSet, the pod is that ReplicaSet's, as the Kubernetes tab expects.
 */
export function pod(options: {
  fixture: keyof typeof POD_FIXTURES;
  name: string;
  namespace: string;
  kubernetesId: string;
  environment?: string;
  image: string;
  owner?: KubernetesObject;
}): KubernetesObject {
  const copy = structuredClone(POD_FIXTURES[options.fixture]) as Record<
    string,
    any
  >;
  copy.apiVersion = 'v1';
  copy.kind = 'Pod';
  copy.metadata.name = options.name;
  copy.metadata.namespace = options.namespace;
  copy.metadata.labels = {
    ...copy.metadata.labels,
    app: options.kubernetesId,
    [KUBERNETES_ID_LABEL]: options.kubernetesId,
    ...(options.environment
      ? { [ENVIRONMENT_LABEL]: options.environment }
      : {}),
  };
  delete copy.metadata.selfLink;
  if (options.owner) {
    const hash = options.owner.metadata.labels?.['pod-template-hash'];
    if (hash) copy.metadata.labels['pod-template-hash'] = hash;
    copy.metadata.generateName = `${options.owner.metadata.name}-`;
    // Several pods of one ReplicaSet come from one fixture; the Kubernetes tab keys them by uid.
    copy.metadata.uid = uidOf(options.name);
    copy.metadata.ownerReferences = [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: options.owner.metadata.name,
        uid: options.owner.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  for (const container of copy.spec.containers) container.image = options.image;
  for (const status of copy.status.containerStatuses ?? []) {
    status.image = options.image;
  }
  return copy as KubernetesObject;
}

/** A stable, UUID-shaped uid for an object name. */
function uidOf(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
}

/**
 * The `apps/v1` Deployment a golden path writes for a service (`<service>` in the namespace
 * `<service>`), with the status the deployment controller reports: Available and Progressing
 * when every replica is ready, otherwise short of replicas and, with `progressDeadlineExceeded`,
 * stuck as `kubectl rollout status` reports it.
 */
export function deployment(options: {
  service: string;
  environment: string;
  image: string;
  /** The pod-template-hash of its current ReplicaSet. */
  templateHash: string;
  replicas: number;
  readyReplicas: number;
  progressDeadlineExceeded?: boolean;
}): KubernetesObject {
  const labels = {
    app: options.service,
    [KUBERNETES_ID_LABEL]: options.service,
    [ENVIRONMENT_LABEL]: options.environment,
  };
  const replicaSetName = `${options.service}-${options.templateHash}`;
  const available = options.readyReplicas >= options.replicas;
  const condition = (
    type: string,
    status: 'True' | 'False',
    reason: string,
    message: string,
  ) => ({
    type,
    status,
    lastUpdateTime: '2025-11-20T09:24:12Z',
    lastTransitionTime: '2025-11-20T09:14:02Z',
    reason,
    message,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: options.service,
      namespace: options.service,
      uid: `7a1e5c3d-2b4f-4e6a-9c8d-${options.environment
        .padEnd(12, '0')
        .slice(0, 12)}`,
      resourceVersion: '48377',
      generation: 3,
      creationTimestamp: '2025-11-12T08:02:41Z',
      labels,
      annotations: { 'deployment.kubernetes.io/revision': '3' },
    },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { app: options.service } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: options.service,
              image: options.image,
              ports: [{ containerPort: 8080, protocol: 'TCP' }],
            },
          ],
        },
      },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: 3,
      replicas: options.replicas,
      updatedReplicas: options.replicas,
      readyReplicas: options.readyReplicas,
      availableReplicas: options.readyReplicas,
      ...(available
        ? {}
        : { unavailableReplicas: options.replicas - options.readyReplicas }),
      conditions: [
        available
          ? condition(
              'Available',
              'True',
              'MinimumReplicasAvailable',
              'Deployment has minimum availability.',
            )
          : condition(
              'Available',
              'False',
              'MinimumReplicasUnavailable',
              'Deployment does not have minimum availability.',
            ),
        options.progressDeadlineExceeded
          ? condition(
              'Progressing',
              'False',
              'ProgressDeadlineExceeded',
              `ReplicaSet "${replicaSetName}" has timed out progressing.`,
            )
          : condition(
              'Progressing',
              'True',
              'NewReplicaSetAvailable',
              `ReplicaSet "${replicaSetName}" has successfully progressed.`,
            ),
      ],
    },
  };
}

/** The current ReplicaSet of a {@link deployment}, owned by it, with the same replicas. */
export function replicaSet(options: {
  deployment: KubernetesObject;
  templateHash: string;
}): KubernetesObject {
  const owner = options.deployment as KubernetesObject & {
    spec: {
      replicas: number;
      template: { metadata: { labels: Record<string, string> } };
    };
    status: { readyReplicas: number };
  };
  const labels = {
    ...owner.spec.template.metadata.labels,
    'pod-template-hash': options.templateHash,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${owner.metadata.name}-${options.templateHash}`,
      namespace: owner.metadata.namespace,
      uid: `c4b8e2f1-6d3a-4f9b-8e7c-${options.templateHash
        .padEnd(12, '0')
        .slice(0, 12)}`,
      resourceVersion: '48371',
      generation: 1,
      creationTimestamp: '2025-11-20T09:13:58Z',
      labels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(
          owner.spec.replicas,
        ),
        'deployment.kubernetes.io/revision': '3',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: owner.metadata.name,
          uid: owner.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: owner.spec.replicas,
      selector: {
        matchLabels: {
          app: owner.metadata.name,
          'pod-template-hash': options.templateHash,
        },
      },
      template: { ...owner.spec.template, metadata: { labels } },
    },
    status: {
      replicas: owner.spec.replicas,
      fullyLabeledReplicas: owner.spec.replicas,
      readyReplicas: owner.status.readyReplicas,
      availableReplicas: owner.status.readyReplicas,
      observedGeneration: 1,
    },
  };
}

/**
 * An ArgoCD Application as the portal writes it (`<service>-<env>` in `argocd`) with a
 * status as the application controller reports it; field names from the Application CRD.
 */
export function application(options: {
  service: string;
  environment: string;
  sync: 'Synced' | 'OutOfSync' | 'Unknown';
  health:
    | 'Healthy'
    | 'Progressing'
    | 'Degraded'
    | 'Suspended'
    | 'Missing'
    | 'Unknown';
  revision: string;
  operationPhase?: 'Running' | 'Failed' | 'Error' | 'Succeeded';
  operationMessage?: string;
  healthMessage?: string;
  images?: string[];
}): KubernetesObject {
  const name = applicationName(options.service, options.environment);
  const source = {
    repoURL: 'https://github.com/contoso/gitops.git',
    path: `apps/${options.service}/overlays/${options.environment}`,
    targetRevision: 'main',
  };
  const destination = {
    server: 'https://kubernetes.default.svc',
    namespace: options.service,
  };
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: ARGOCD_KINDS.Application.kind,
    metadata: {
      name,
      namespace: 'argocd',
      labels: {
        [KUBERNETES_ID_LABEL]: options.service,
        'app.kubernetes.io/name': options.service,
        [ENVIRONMENT_LABEL]: options.environment,
      },
      annotations: { [OWNER_ANNOTATION]: 'group:default/payments-team' },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
      resourceVersion: '48213',
      uid: `0d6f1c2a-7e43-4a0b-9c1d-${options.environment
        .padEnd(12, '0')
        .slice(0, 12)}`,
    },
    spec: {
      project: 'payments-team',
      source,
      destination,
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['PruneLast=true', 'ApplyOutOfSyncOnly=true'],
      },
    },
    status: {
      sync: {
        status: options.sync,
        revision: options.revision,
        comparedTo: { source, destination },
      },
      health: {
        status: options.health,
        ...(options.healthMessage ? { message: options.healthMessage } : {}),
        lastTransitionTime: '2025-11-20T09:14:02Z',
      },
      ...(options.operationPhase
        ? {
            operationState: {
              operation: {
                sync: { revision: options.revision },
                initiatedBy: { automated: true },
                retry: { limit: 5 },
              },
              phase: options.operationPhase,
              message:
                options.operationMessage ??
                'successfully synced (all tasks run)',
              startedAt: '2025-11-20T09:13:40Z',
              ...(options.operationPhase === 'Running'
                ? {}
                : { finishedAt: '2025-11-20T09:13:58Z' }),
              syncResult: {
                revision: options.revision,
                source,
                resources: [
                  {
                    group: 'apps',
                    version: 'v1',
                    kind: 'Deployment',
                    namespace: options.service,
                    name: options.service,
                    status: 'Synced',
                    message: `deployment.apps/${options.service} configured`,
                    hookPhase: 'Running',
                    syncPhase: 'Sync',
                  },
                ],
              },
            },
          }
        : {}),
      history: [
        {
          id: 3,
          revision: options.revision,
          deployedAt: '2025-11-20T09:13:58Z',
          deployStartedAt: '2025-11-20T09:13:40Z',
          source,
        },
      ],
      reconciledAt: '2025-11-20T09:20:11Z',
      sourceType: 'Kustomize',
      summary: { images: options.images ?? [] },
      controllerNamespace: 'argocd',
    },
  };
}

export type Condition = {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
};

/**
 * A Crossplane resource of the portal (`CROSSPLANE_API_VERSION`), namespaced in the
 * service's namespace. `v1` writes the connection secret as a claim does
 * (`spec.writeConnectionSecretToRef`), otherwise as a Crossplane v2 composite
 * (`spec.connectionSecretName`).
 */
export function crossplaneResource(options: {
  kind: ResourceKind;
  name: string;
  service: string;
  environment: string;
  connectionSecretName?: string;
  conditions?: Condition[];
  v1?: boolean;
}): KubernetesObject {
  const spec: Record<string, unknown> = { size: 'small' };
  if (options.connectionSecretName) {
    if (options.v1) {
      spec.writeConnectionSecretToRef = { name: options.connectionSecretName };
    } else {
      spec.connectionSecretName = options.connectionSecretName;
    }
  }
  if (!options.v1) {
    spec.crossplane = {
      compositionRef: { name: `${options.kind.toLowerCase()}-azure` },
      resourceRefs: [
        {
          apiVersion: 'dbforpostgresql.azure.upbound.io/v1beta1',
          kind: 'FlexibleServer',
          name: `${options.name}-x7k2p`,
        },
      ],
    };
  }
  return {
    apiVersion: CROSSPLANE_API_VERSION,
    kind: options.kind,
    metadata: {
      name: options.name,
      namespace: options.service,
      labels: {
        [KUBERNETES_ID_LABEL]: options.service,
        [ENVIRONMENT_LABEL]: options.environment,
      },
      generation: 1,
      resourceVersion: '91234',
    },
    spec,
    status: {
      conditions: (options.conditions ?? []).map(c => ({
        ...c,
        lastTransitionTime: '2025-11-20T09:30:00Z',
        observedGeneration: 1,
      })),
    },
  };
}

/** The API plural of a Crossplane kind: the key of `FakeKubernetesOptions.crossplane`. */
export function crossplanePlural(kind: ResourceKind): string {
  return CROSSPLANE_KINDS.find(k => k.kind === kind)!.plural;
}

/** Every Crossplane kind installed and empty: a cluster where the XRDs exist but nothing was claimed. */
export function noCrossplaneResources(): Record<string, KubernetesObject[]> {
  return Object.fromEntries(CROSSPLANE_KINDS.map(k => [k.plural, []]));
}

export const READY: Condition = {
  type: 'Ready',
  status: 'True',
  reason: 'Available',
};
export const SYNCED: Condition = {
  type: 'Synced',
  status: 'True',
  reason: 'ReconcileSuccess',
};

import { Entity } from '@backstage/catalog-model';
import { KUBERNETES_ID_ANNOTATION } from '@internal/plugin-platform-common';
import { FakeKubernetesOptions } from './fakeKubernetes';
import {
  application,
  crossplanePlural,
  crossplaneResource,
  deployment,
  pod,
  READY,
  replicaSet,
  SYNCED,
} from './payloads';

export const SERVICE = 'payments-api';
export const DEV_REVISION = '9f3c2a1b7e6d5c4b3a291807f6e5d4c3b2a19087';
export const STAGING_REVISION = '4e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5';
export const DEV_IMAGE = 'contoso.azurecr.io/payments-api:1.4.2';
const STAGING_IMAGE = 'contoso.azurecr.io/payments-api:1.5.0-rc.1';
export const COMMIT_URL_TEMPLATE =
  'https://github.com/contoso/gitops/commit/{revision}';

export const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: SERVICE,
    namespace: 'default',
    annotations: { [KUBERNETES_ID_ANNOTATION]: SERVICE },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/payments-team',
  },
};

/** Everything healthy: 2 ready pods, Synced and Healthy, a ready Database with its secret. */
export function healthyDev(token: string): FakeKubernetesOptions {
  const devDeployment = deployment({
    service: SERVICE,
    environment: 'dev',
    image: DEV_IMAGE,
    templateHash: '6c9f8d7b5',
    replicas: 2,
    readyReplicas: 2,
  });
  const devReplicaSet = replicaSet({
    deployment: devDeployment,
    templateHash: '6c9f8d7b5',
  });
  return {
    token,
    deployments: [devDeployment],
    replicaSets: [devReplicaSet],
    pods: [
      pod({
        fixture: 'healthy',
        name: 'payments-api-6c9f8d7b5-2xk4q',
        namespace: SERVICE,
        kubernetesId: SERVICE,
        environment: 'dev',
        image: DEV_IMAGE,
        owner: devReplicaSet,
      }),
      pod({
        fixture: 'healthy',
        name: 'payments-api-6c9f8d7b5-9wq7z',
        namespace: SERVICE,
        kubernetesId: SERVICE,
        environment: 'dev',
        image: DEV_IMAGE,
        owner: devReplicaSet,
      }),
      // Another component's pod in the same cluster: the label selector must leave it out.
      pod({
        fixture: 'crashing',
        name: 'orders-api-5d8c7b6a4-l2m3n',
        namespace: 'orders-api',
        kubernetesId: 'orders-api',
        image: 'contoso.azurecr.io/orders-api:2.0.0',
      }),
    ],
    applications: [
      application({
        service: SERVICE,
        environment: 'dev',
        sync: 'Synced',
        health: 'Healthy',
        revision: DEV_REVISION,
        operationPhase: 'Succeeded',
        images: [DEV_IMAGE],
      }),
      application({
        service: 'orders-api',
        environment: 'dev',
        sync: 'OutOfSync',
        health: 'Missing',
        revision: DEV_REVISION,
      }),
    ],
    crossplane: {
      [crossplanePlural('Database')]: [
        crossplaneResource({
          kind: 'Database',
          name: 'payments-db',
          service: SERVICE,
          environment: 'dev',
          connectionSecretName: 'payments-db-conn',
          conditions: [READY, SYNCED],
        }),
      ],
      [crossplanePlural('Cache')]: [],
      [crossplanePlural('DocumentDatabase')]: [],
      // Queue: the kind is not installed in this cluster.
    },
    secrets: ['payments-api/payments-db-conn'],
  };
}

/**
 * A bad rollout: 1 of 3 pods ready (CrashLoopBackOff, a missing ConfigMap), the ArgoCD
 * Application OutOfSync and Degraded after a failed sync, a Database whose connection secret
 * is missing, a Queue that Azure refuses and a Cache still being created.
 */
export function degradedStaging(token: string): FakeKubernetesOptions {
  const stagingDeployment = deployment({
    service: SERVICE,
    environment: 'staging',
    image: STAGING_IMAGE,
    templateHash: '7f4b9c8d6',
    replicas: 3,
    readyReplicas: 1,
    progressDeadlineExceeded: true,
  });
  const stagingReplicaSet = replicaSet({
    deployment: stagingDeployment,
    templateHash: '7f4b9c8d6',
  });
  const stagingPod = (
    fixture: 'healthy' | 'crashing' | 'missingConfigMap',
    name: string,
  ) =>
    pod({
      fixture,
      name,
      namespace: SERVICE,
      kubernetesId: SERVICE,
      environment: 'staging',
      image: STAGING_IMAGE,
      owner: stagingReplicaSet,
    });
  return {
    token,
    deployments: [stagingDeployment],
    replicaSets: [stagingReplicaSet],
    pods: [
      stagingPod('healthy', 'payments-api-7f4b9c8d6-h5j6k'),
      stagingPod('crashing', 'payments-api-7f4b9c8d6-p8r9s'),
      stagingPod('missingConfigMap', 'payments-api-7f4b9c8d6-t2v3w'),
    ],
    applications: [
      application({
        service: SERVICE,
        environment: 'staging',
        sync: 'OutOfSync',
        health: 'Degraded',
        revision: STAGING_REVISION,
        operationPhase: 'Failed',
        operationMessage:
          'one or more objects failed to apply, reason: Deployment.apps "payments-api" is invalid: spec.template.spec.containers[0].env[2].valueFrom: Invalid value',
        healthMessage:
          'Deployment "payments-api" exceeded its progress deadline',
        images: [STAGING_IMAGE],
      }),
    ],
    crossplane: {
      [crossplanePlural('Database')]: [
        crossplaneResource({
          kind: 'Database',
          name: 'payments-db',
          service: SERVICE,
          environment: 'staging',
          connectionSecretName: 'payments-db-conn',
          conditions: [READY, SYNCED],
          v1: true,
        }),
      ],
      [crossplanePlural('Cache')]: [
        crossplaneResource({
          kind: 'Cache',
          name: 'payments-cache',
          service: SERVICE,
          environment: 'staging',
          connectionSecretName: 'payments-cache-conn',
          conditions: [
            { type: 'Ready', status: 'False', reason: 'Creating' },
            SYNCED,
          ],
        }),
      ],
      [crossplanePlural('Queue')]: [
        crossplaneResource({
          kind: 'Queue',
          name: 'payments-events',
          service: SERVICE,
          environment: 'staging',
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'Creating',
            },
            {
              type: 'Synced',
              status: 'False',
              reason: 'ReconcileError',
              message:
                "cannot create ServiceBus namespace: async create failed: AuthorizationFailed: The client '3f1c…' with object id '3f1c…' does not have authorization to perform action 'Microsoft.ServiceBus/namespaces/write'",
            },
          ],
        }),
      ],
      [crossplanePlural('DocumentDatabase')]: [],
    },
    secrets: [],
  };
}

import { entityName, envPrefix } from './names';
import { PlatformConfig, SIZE_PROFILES } from './platform';
import { ResourceRequest, ServiceRequest } from './request';
import { KUBERNETES_ID_LABEL } from './layout';
import { KubernetesObject } from './types';

/** Ports each Azure service answers on, for the NetworkPolicy egress rules. */
const RESOURCE_PORTS: Record<ResourceRequest['kind'], number[]> = {
  Database: [5432],
  Cache: [6380],
  Queue: [5671, 443],
  DocumentDatabase: [443],
};

export function connectionSecretName(resource: { name: string }): string {
  return `${resource.name}-connection`;
}

function standardLabels(req: ServiceRequest): Record<string, string> {
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': req.name,
    'app.kubernetes.io/instance': req.name,
    'app.kubernetes.io/component': req.type,
    'app.kubernetes.io/managed-by': 'argocd',
    [KUBERNETES_ID_LABEL]: req.name,
  };
  if (req.system) labels['app.kubernetes.io/part-of'] = entityName(req.system);
  return labels;
}

function selectorLabels(req: ServiceRequest): Record<string, string> {
  return {
    'app.kubernetes.io/name': req.name,
    'app.kubernetes.io/instance': req.name,
  };
}

export function imageName(req: ServiceRequest, platform: PlatformConfig) {
  return `${platform.acrLoginServer}/${req.imageRepository ?? req.name}`;
}

function probes(req: ServiceRequest) {
  const timing = { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 };
  if (req.type === 'grpc') {
    return {
      livenessProbe: { grpc: { port: req.port }, initialDelaySeconds: 5, ...timing },
      readinessProbe: { grpc: { port: req.port }, ...timing },
    };
  }
  const readyPath = req.type === 'http' ? '/readyz' : '/healthz';
  return {
    livenessProbe: {
      httpGet: { path: '/healthz', port: 'http' },
      initialDelaySeconds: 5,
      ...timing,
    },
    readinessProbe: { httpGet: { path: readyPath, port: 'http' }, ...timing },
  };
}

export function serviceAccount(req: ServiceRequest): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: req.name,
      labels: {
        ...standardLabels(req),
        'azure.workload.identity/use': 'true',
      },
    },
    automountServiceAccountToken: false,
  };
}

export function deployment(
  req: ServiceRequest,
  platform: PlatformConfig,
): KubernetesObject {
  const profile = SIZE_PROFILES[req.size];
  const portName = req.type === 'grpc' ? 'grpc' : 'http';
  const container = {
    name: req.name,
    image: `${imageName(req, platform)}:${req.imageTag}`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: portName, containerPort: req.port, protocol: 'TCP' }],
    env: [{ name: 'PORT', value: String(req.port) }],
    envFrom: [] as object[],
    resources: { requests: profile.requests, limits: profile.limits },
    ...probes(req),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
  const dep: KubernetesObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: req.name, labels: standardLabels(req) },
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(req) },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
      },
      template: {
        metadata: {
          labels: {
            ...standardLabels(req),
            'azure.workload.identity/use': 'true',
          },
        },
        spec: {
          serviceAccountName: req.name,
          automountServiceAccountToken: false,
          // The image's numeric USER applies; the kubelet refuses to start it as root.
          securityContext: {
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
  for (const resource of req.resources) attachResourceToDeployment(dep, resource);
  return dep;
}

/** Adds a resource's connection secret to the workload's environment; a no-op when already there. */
export function attachResourceToDeployment(
  dep: KubernetesObject,
  resource: Pick<ResourceRequest, 'name'>,
): boolean {
  const container = (dep as any).spec.template.spec.containers[0];
  container.envFrom = container.envFrom ?? [];
  const secret = connectionSecretName(resource);
  if (container.envFrom.some((e: any) => e.secretRef?.name === secret)) {
    return false;
  }
  container.envFrom.push({
    prefix: envPrefix(resource.name),
    secretRef: { name: secret },
  });
  return true;
}

export function service(req: ServiceRequest): KubernetesObject {
  const portName = req.type === 'grpc' ? 'grpc' : 'http';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: req.name, labels: standardLabels(req) },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(req),
      ports: [
        {
          name: portName,
          port: req.type === 'grpc' ? req.port : 80,
          targetPort: portName,
          protocol: 'TCP',
          ...(req.type === 'grpc' ? { appProtocol: 'kubernetes.io/h2c' } : {}),
        },
      ],
    },
  };
}

export function horizontalPodAutoscaler(
  req: ServiceRequest,
  minReplicas?: number,
): KubernetesObject {
  const profile = SIZE_PROFILES[req.size];
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: req.name, labels: standardLabels(req) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: req.name },
      minReplicas: minReplicas ?? profile.minReplicas,
      maxReplicas: profile.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: 75 },
          },
        },
      ],
    },
  };
}

export function podDisruptionBudget(req: ServiceRequest): KubernetesObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: req.name, labels: standardLabels(req) },
    // maxUnavailable rather than minAvailable: a single-replica dev service must not block node drains.
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(req) } },
  };
}

export function defaultDenyNetworkPolicy(req: ServiceRequest): KubernetesObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', labels: standardLabels(req) },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/** What the workload needs: in from its namespace and the ingress controller, out to DNS and its Azure resources. */
export function allowNetworkPolicy(
  req: ServiceRequest,
  platform: PlatformConfig,
): KubernetesObject {
  const portName = req.type === 'grpc' ? 'grpc' : 'http';
  const from: object[] = [{ podSelector: {} }];
  if (req.ingressHost) {
    from.push({
      namespaceSelector: {
        matchLabels: { 'kubernetes.io/metadata.name': platform.ingressNamespace },
      },
    });
  }
  const policy: KubernetesObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `${req.name}-allow`, labels: standardLabels(req) },
    spec: {
      podSelector: { matchLabels: selectorLabels(req) },
      policyTypes: ['Ingress', 'Egress'],
      ingress:
        req.type === 'worker'
          ? []
          : [{ from, ports: [{ port: portName, protocol: 'TCP' }] }],
      egress: [
        {
          to: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
              },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
        // Entra ID tokens for workload identity and the Azure APIs.
        { ports: [{ port: 443, protocol: 'TCP' }] },
      ],
    },
  };
  for (const resource of req.resources) attachResourceToNetworkPolicy(policy, resource);
  return policy;
}

/** Opens egress to the ports a resource kind answers on; a no-op when already open. */
export function attachResourceToNetworkPolicy(
  policy: KubernetesObject,
  resource: Pick<ResourceRequest, 'kind'>,
): boolean {
  const egress: any[] = (policy as any).spec.egress;
  let changed = false;
  for (const port of RESOURCE_PORTS[resource.kind]) {
    const open = egress.some(
      rule => !rule.to && rule.ports?.some((p: any) => p.port === port),
    );
    if (!open) {
      egress.push({ ports: [{ port, protocol: 'TCP' }] });
      changed = true;
    }
  }
  return changed;
}

export function ingress(
  req: ServiceRequest,
  platform: PlatformConfig,
): KubernetesObject | undefined {
  if (!req.ingressHost || req.type === 'worker') return undefined;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: req.name, labels: standardLabels(req) },
    spec: {
      ingressClassName: platform.ingressClassName,
      tls: [{ hosts: [req.ingressHost], secretName: `${req.name}-tls` }],
      rules: [
        {
          host: req.ingressHost,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: {
                  service: {
                    name: req.name,
                    port: { name: req.type === 'grpc' ? 'grpc' : 'http' },
                  },
                },
              },
            ],
          },
        },
      ],
    },
  };
}

export function namespace(req: Pick<ServiceRequest, 'name' | 'owner'>, env: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: req.name,
      labels: {
        [KUBERNETES_ID_LABEL]: req.name,
        'idp-portal/environment': env,
        // Guardrail: the API server itself refuses pods that are not restricted.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
      annotations: { 'idp-portal/owner': req.owner },
    },
  };
}

import { connectionSecretName } from './kubernetes';
import { PlatformConfig } from './platform';
import { ResourceRequest, ServiceRequest } from './request';
import { ENVIRONMENT_LABEL, KUBERNETES_ID_LABEL } from './layout';
import { KubernetesObject } from './types';
import { CROSSPLANE_API_VERSION } from '@internal/plugin-platform-common';

export {
  CROSSPLANE_GROUP,
  CROSSPLANE_API_VERSION,
} from '@internal/plugin-platform-common';

/**
 * A self-service cloud resource. With Crossplane v2 it is a namespaced
 * composite resource; with Crossplane 1.x the claim of the same kind.
 */
export function cloudResource(
  service: Pick<ServiceRequest, 'name'>,
  resource: ResourceRequest,
  env: string,
  platform: Pick<PlatformConfig, 'crossplaneApiVersion'>,
): KubernetesObject {
  const spec: Record<string, unknown> = { size: resource.size };
  if (platform.crossplaneApiVersion === 'v1') {
    spec.writeConnectionSecretToRef = { name: connectionSecretName(resource) };
  } else {
    spec.connectionSecretName = connectionSecretName(resource);
  }
  return {
    apiVersion: CROSSPLANE_API_VERSION,
    kind: resource.kind,
    metadata: {
      name: resource.name,
      namespace: service.name,
      labels: {
        [KUBERNETES_ID_LABEL]: service.name,
        [ENVIRONMENT_LABEL]: env,
      },
    },
    spec,
  };
}

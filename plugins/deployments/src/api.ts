import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef, DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { DeploymentsResponse, TimelineResponse } from '@internal/plugin-gitops-common';

export interface DeploymentsApi {
  getDeployments(entity: CompoundEntityRef): Promise<DeploymentsResponse>;
  /** The latest changes of the component, each from its commit to healthy pods. */
  getTimeline?(entity: CompoundEntityRef): Promise<TimelineResponse>;
}

export const deploymentsApiRef = createApiRef<DeploymentsApi>({ id: 'plugin.deployments.api' });

/** The scaffolder module's deployments route (plugins/scaffolder-backend-module-gitops). */
export class DeploymentsClient implements DeploymentsApi {
  constructor(private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {}

  private async get<T>(route: string, entity: CompoundEntityRef): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('scaffolder');
    const path = [entity.kind, entity.namespace, entity.name].map(encodeURIComponent).join('/');
    const res = await this.deps.fetchApi.fetch(`${base}/gitops/v1/${route}/${path}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }

  getDeployments(entity: CompoundEntityRef) {
    return this.get<DeploymentsResponse>('deployments', entity);
  }

  getTimeline(entity: CompoundEntityRef) {
    return this.get<TimelineResponse>('timeline', entity);
  }
}

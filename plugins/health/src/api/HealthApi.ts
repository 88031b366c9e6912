import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { EnvironmentsResponse, ResourcesResponse, VerdictResponse } from './types';

export interface HealthApi {
  getVerdict(entity: CompoundEntityRef): Promise<VerdictResponse>;
  getEnvironments(entity: CompoundEntityRef): Promise<EnvironmentsResponse>;
  getResources(entity: CompoundEntityRef): Promise<ResourcesResponse>;
}

export const healthApiRef = createApiRef<HealthApi>({ id: 'plugin.health.api' });

/** One request per card; the backend fans out to clusters and sources. */
export class HealthClient implements HealthApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  private async get<T>(entity: CompoundEntityRef, card: string): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('health');
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    const res = await this.deps.fetchApi.fetch(`${base}/v1/entities/${path}/${card}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }

  getVerdict(entity: CompoundEntityRef) {
    return this.get<VerdictResponse>(entity, 'verdict');
  }
  getEnvironments(entity: CompoundEntityRef) {
    return this.get<EnvironmentsResponse>(entity, 'environments');
  }
  getResources(entity: CompoundEntityRef) {
    return this.get<ResourcesResponse>(entity, 'resources');
  }
}

import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AlertsResponse,
  MetricsRange,
  MetricsResponse,
  ResourcesResponse,
} from './types';

export interface AzureMonitorApi {
  getResources(entity: CompoundEntityRef): Promise<ResourcesResponse>;
  getMetrics(
    entity: CompoundEntityRef,
    range: MetricsRange,
  ): Promise<MetricsResponse>;
  getAlerts(entity: CompoundEntityRef): Promise<AlertsResponse>;
}

export const azureMonitorApiRef = createApiRef<AzureMonitorApi>({
  id: 'plugin.azure-monitor.api',
});

/** Reads an entity's Azure resources, metrics and alerts through the azure-monitor backend. */
export class AzureMonitorClient implements AzureMonitorApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  private async get<T>(
    entity: CompoundEntityRef,
    what: string,
    query?: Record<string, string>,
  ): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('azure-monitor');
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    const search = query ? `?${new URLSearchParams(query)}` : '';
    const res = await this.deps.fetchApi.fetch(
      `${base}/v1/entities/${path}/${what}${search}`,
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }

  getResources(entity: CompoundEntityRef) {
    return this.get<ResourcesResponse>(entity, 'resources');
  }
  getMetrics(entity: CompoundEntityRef, range: MetricsRange) {
    return this.get<MetricsResponse>(entity, 'metrics', { range });
  }
  getAlerts(entity: CompoundEntityRef) {
    return this.get<AlertsResponse>(entity, 'alerts');
  }
}

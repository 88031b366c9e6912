import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { AKS_TOKEN_HEADER } from '@internal/plugin-platform-common';
import { EnvironmentsResponse, ResourcesResponse, VerdictResponse } from './types';

export interface HealthApi {
  getVerdict(entity: CompoundEntityRef): Promise<VerdictResponse>;
  getEnvironments(entity: CompoundEntityRef): Promise<EnvironmentsResponse>;
  getResources(entity: CompoundEntityRef): Promise<ResourcesResponse>;
  /**
   * Signs the user in with Microsoft for AKS clusters that use Entra ID RBAC; later
   * requests carry the token, as the Kubernetes tab's do.
   */
  signInToAks?(): Promise<void>;
}

export const healthApiRef = createApiRef<HealthApi>({ id: 'plugin.health.api' });

/** One request per card; the backend fans out to clusters and sources. */
export class HealthClient implements HealthApi {
  private aksToken?: string;

  constructor(
    private readonly deps: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
      /** The user's Entra token for AKS, e.g. from the Kubernetes plugin's auth providers. */
      getAksToken?: () => Promise<string | undefined>;
    },
  ) {}

  async signInToAks(): Promise<void> {
    this.aksToken = await this.deps.getAksToken?.();
  }

  private async get<T>(entity: CompoundEntityRef, card: string): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('health');
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    const res = await this.deps.fetchApi.fetch(`${base}/v1/entities/${path}/${card}`, {
      headers: this.aksToken
        ? { [AKS_TOKEN_HEADER]: this.aksToken }
        : undefined,
    });
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

import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  EntityGuardrailsResponse,
  GuardrailsReport,
} from '@internal/plugin-guardrails-common';

export interface GuardrailsApi {
  /** Every rule, and the components the caller may read with what they break or are exempted from. */
  getReport(): Promise<GuardrailsReport>;
  getEntityGuardrails(entity: CompoundEntityRef): Promise<EntityGuardrailsResponse>;
}

export const guardrailsApiRef = createApiRef<GuardrailsApi>({
  id: 'plugin.guardrails.api',
});

export class GuardrailsClient implements GuardrailsApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  private async get<T>(path: string): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('guardrails');
    const res = await this.deps.fetchApi.fetch(`${base}${path}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }

  getReport() {
    return this.get<GuardrailsReport>('/v1/report');
  }

  getEntityGuardrails(entity: CompoundEntityRef) {
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    return this.get<EntityGuardrailsResponse>(`/v1/entities/${path}`);
  }
}

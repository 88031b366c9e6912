import {
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import express from 'express';
import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { paymentsApi } from '@internal/test-fakes/kubernetes';
import { createRouter } from './router';
import { EntityHealth } from '@internal/plugin-health-common';

function answer(entity: Entity): EntityHealth {
  return {
    entityRef: `component:default/${entity.metadata.name}`,
    verdict: { state: 'Healthy', reasons: [] },
    environments: [],
    resources: [],
    failures: [],
    generatedAt: '2025-11-20T12:00:00.000Z',
  };
}

describe('createRouter', () => {
  let server: Server;
  let catalogEntity: Entity;
  const reads: Entity[] = [];

  beforeAll(async () => {
    catalogEntity = paymentsApi;
    const app = express();
    app.use(
      await createRouter({
        httpAuth: mockServices.httpAuth(),
        catalog: catalogServiceMock.mock({
          getEntityByRef: async () => catalogEntity,
        }),
        health: {
          getEntityHealth: async entity => {
            reads.push(entity);
            return answer(entity);
          },
        },
      }),
    );
    app.use(mockErrorHandler());
    server = app.listen(0);
  });
  afterAll(() => server.close());

  const get = () =>
    fetch(
      `http://127.0.0.1:${
        (server.address() as AddressInfo).port
      }/v1/entities/component/default/payments-api/verdict`,
    );

  it('answers a second request with the read it started before the catalog answered', async () => {
    expect((await get()).status).toBe(200);
    expect(reads).toHaveLength(1);

    // The early read has finished (and, with a short cache TTL, expired) when the catalog
    // answers: it is still the one answered, not read again.
    expect((await get()).status).toBe(200);
    expect(reads).toHaveLength(2);
  });

  it('reads again when the catalog gives the entity another kubernetes-id', async () => {
    reads.length = 0;
    catalogEntity = {
      ...paymentsApi,
      metadata: {
        ...paymentsApi.metadata,
        annotations: { 'backstage.io/kubernetes-id': 'payments-api-v2' },
      },
    };

    expect((await get()).status).toBe(200);

    // The early read for the remembered id, then the read for the new one.
    expect(
      reads.map(e => e.metadata.annotations?.['backstage.io/kubernetes-id']),
    ).toEqual(['payments-api', 'payments-api-v2']);
  });
});

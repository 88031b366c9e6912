import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { EnvironmentRow, EnvironmentsResponse } from '@internal/plugin-health-common';
import express from 'express';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { sourceHealthFromHealthPlugin } from './sourceHealth';

const row = (overrides: Partial<EnvironmentRow>): EnvironmentRow => ({
  environment: 'dev',
  cluster: 'aks-dev',
  application: { name: 'orders-api-dev', syncStatus: 'Synced', healthStatus: 'Healthy', revision: 'abc' },
  imageTags: ['1.1.0'],
  images: ['contoso.azurecr.io/orders-api:1.1.0'],
  pods: { ready: 2, total: 2, restarts: 0 },
  verdict: { state: 'Healthy', reasons: [] },
  failures: [],
  ...overrides,
});

describe('the source health of a promotion, from the health plugin', () => {
  let server: Server;
  let rows: EnvironmentRow[] = [];
  const authorizations: string[] = [];
  let check: ReturnType<typeof sourceHealthFromHealthPlugin>;

  beforeAll(async () => {
    const app = express();
    app.get('/api/health/v1/entities/component/default/:name/environments', (req, res) => {
      authorizations.push(req.header('authorization') ?? '');
      if (req.params.name !== 'orders-api') return res.status(404).json({ error: { message: 'no entity' } });
      const body = { environments: rows } as Partial<EnvironmentsResponse>;
      return res.json(body);
    });
    server = app.listen(0);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    check = sourceHealthFromHealthPlugin({
      discovery: { getBaseUrl: async id => `${base}/${id}`, getExternalBaseUrl: async id => `${base}/${id}` },
      auth: mockServices.auth(),
    });
  });
  afterAll(() => server.close());

  const asUser = mockCredentials.user('user:default/olu.member');

  it('is ready when ArgoCD says Synced and Healthy and the pods run that image, asking as the user', async () => {
    rows = [row({})];
    expect(await check('orders-api', 'dev', '1.1.0', asUser)).toEqual({
      ready: true,
      reason: 'dev runs 1.1.0, Synced and Healthy',
    });
    expect(authorizations.pop()).toMatch(/^Bearer /);
  });

  it.each([
    [{ application: { syncStatus: 'Synced', healthStatus: 'Degraded', message: '1 of 2 pods crash-looping' } }, 'orders-api in dev is Synced and Degraded in ArgoCD (1 of 2 pods crash-looping)'],
    [{ application: { syncStatus: 'OutOfSync', healthStatus: 'Healthy' } }, 'orders-api in dev is OutOfSync and Healthy in ArgoCD'],
    [{ imageTags: ['1.0.9'] }, 'the pods of orders-api in dev run 1.0.9, not 1.1.0'],
    [{ application: undefined }, 'dev has no ArgoCD Application for orders-api'],
  ])('is not ready when %j, and says why', async (overrides, reason) => {
    rows = [row(overrides as Partial<EnvironmentRow>)];
    expect(await check('orders-api', 'dev', '1.1.0', asUser)).toEqual({ ready: false, reason });
  });

  it('is not ready when no cluster reports the environment or the health service refuses', async () => {
    rows = [row({ environment: 'staging' })];
    expect((await check('orders-api', 'dev', '1.1.0', asUser)).reason).toBe('no cluster of dev reports orders-api');
    expect((await check('billing-api', 'dev', '1.1.0', asUser)).reason).toBe(
      'the health service answered 404 for billing-api',
    );
  });
});

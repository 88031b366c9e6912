import { ResponseError } from '@backstage/errors';
import { AzureMonitorClient } from './AzureMonitorApi';

describe('AzureMonitorClient', () => {
  const discoveryApi = {
    getBaseUrl: async (id: string) => `http://localhost:7007/api/${id}`,
  };
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });

  it('encodes every path segment and sends the range', async () => {
    const fetch = jest.fn(async () =>
      json({ entityRef: 'x', configured: false, annotations: [] }),
    );
    const client = new AzureMonitorClient({ discoveryApi, fetchApi: { fetch } });
    await client.getMetrics(
      { kind: 'Component', namespace: 'team a', name: 'orders/api' },
      '24h',
    );
    expect(fetch).toHaveBeenCalledWith(
      'http://localhost:7007/api/azure-monitor/v1/entities/Component/team%20a/orders%2Fapi/metrics?range=24h',
    );
    await client.getAlerts({ kind: 'Component', namespace: 'default', name: 'orders-api' });
    expect(fetch).toHaveBeenLastCalledWith(
      'http://localhost:7007/api/azure-monitor/v1/entities/Component/default/orders-api/alerts',
    );
  });

  it('throws a ResponseError carrying the status', async () => {
    const fetch = jest.fn(async () =>
      json({ error: { name: 'NotFoundError', message: 'no entity' } }, 404),
    );
    const client = new AzureMonitorClient({ discoveryApi, fetchApi: { fetch } });
    const error = await client
      .getResources({ kind: 'Component', namespace: 'default', name: 'gone' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(404);
  });
});

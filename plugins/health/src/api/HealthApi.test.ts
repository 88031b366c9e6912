import { HealthClient } from './HealthApi';

describe('HealthClient', () => {
  it('encodes the entity ref, and forwards the Entra token for AKS once signed in', async () => {
    const fetch = jest.fn(async (_url: string, _init?: RequestInit) =>
      new Response(JSON.stringify({ ok: true }), { status: 200 }),
    );
    const client = new HealthClient({
      discoveryApi: { getBaseUrl: async () => 'http://localhost:7007/api/health' },
      fetchApi: { fetch: fetch as any },
      getAksToken: async () => 'entra-token',
    });
    const ref = { kind: 'Component', namespace: 'default', name: 'orders/api' };
    await client.getVerdict(ref);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://localhost:7007/api/health/v1/entities/Component/default/orders%2Fapi/verdict',
    );
    expect(fetch.mock.calls[0][1]?.headers).toBeUndefined();
    await client.signInToAks();
    await client.getResources(ref);
    expect(fetch.mock.calls[1][1]?.headers).toEqual({
      'Backstage-Kubernetes-Authorization-aks': 'entra-token',
    });
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { MemoryCache } from '@internal/test-fakes';
import {
  entities,
  FakeAzure,
  fakeAzureIdentity,
  fakeAzureOptions,
  PROD_SUB,
  SHARED_SUB,
} from '@internal/test-fakes/azure';
import { AzureMonitorConfig } from '../config';
import { createAzureCredential } from '@internal/plugin-platform-node';
import { AzureMonitorService } from './AzureMonitorService';

describe('AzureMonitorService', () => {
  let fake: FakeAzure;
  beforeAll(async () => {
    fake = await FakeAzure.start(fakeAzureOptions());
  });
  afterAll(() => fake?.close());

  const service = () => {
    const config: AzureMonitorConfig = {
      enabled: true,
      subscriptionIds: [PROD_SUB, SHARED_SUB],
      armEndpoint: fake.url,
      portalUrl: 'https://portal.azure.com',
      cacheTtlMs: 60_000,
      caData: fake.ca,
    };
    return new AzureMonitorService({
      config,
      credential: createAzureCredential(fakeAzureIdentity(fake)),
      logger: mockServices.logger.mock(),
      cache: new MemoryCache(),
    });
  };

  it('serves a repeated question from the cache for cacheTtlMs', async () => {
    const azure = service();
    const first = await azure.getAlerts(entities.byTag);
    const calls = fake.requests.length;
    const second = await azure.getAlerts(entities.byTag);
    expect(fake.requests.length).toBe(calls);
    expect(second).toEqual(first);
  });

  it('reports refused credentials even with nothing to show yet', async () => {
    fake.tokenFailure = true;
    try {
      const answer = await service().getResources(entities.byGroup);
      expect(answer).toMatchObject({
        configured: true,
        stale: false,
        resources: [],
        problem: { status: 'credentials' },
      });
    } finally {
      fake.tokenFailure = false;
    }
  });
});

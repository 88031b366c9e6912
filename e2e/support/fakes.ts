import { test } from '@playwright/test';
import { FakeAzure, fakeAzureOptions } from '@internal/test-fakes/azure';
import { degradedStaging, FakeKubernetes, healthyDev } from '@internal/test-fakes/kubernetes';
import { FAKE_AZURE_PORT, FAKE_CLUSTER_TOKEN, FAKE_CLUSTERS } from '../../playwright.config';

/**
 * For the specs of a file: three fake AKS API servers on the ports playwright.config.ts gives
 * the portal, answering its real @kubernetes/client-node (dev healthy, staging OutOfSync with a
 * crash-looping pod, prod never answers), and a fake Azure answering the real Azure SDK clients
 * with payments-api's resources and firing alerts.
 */
export function useTroubledPlatform() {
  let clusters: FakeKubernetes[] = [];
  let azure: FakeAzure | undefined;
  test.beforeAll(async () => {
    const [dev, staging, prod] = FAKE_CLUSTERS;
    clusters = [
      await FakeKubernetes.start(healthyDev(FAKE_CLUSTER_TOKEN), dev.port),
      await FakeKubernetes.start(degradedStaging(FAKE_CLUSTER_TOKEN), staging.port),
      await FakeKubernetes.start({ token: FAKE_CLUSTER_TOKEN, behaviour: 'hang' }, prod.port),
    ];
    azure = await FakeAzure.start(fakeAzureOptions(), {
      port: FAKE_AZURE_PORT,
      tls: { key: process.env.E2E_AZURE_KEY!, cert: process.env.E2E_AZURE_CERT! },
    });
  });
  test.afterAll(async () => {
    await Promise.all([...clusters.map(c => c.close()), azure?.close()]);
  });
}

import { expect, test } from '@playwright/test';
import { FakeKubernetes } from '../plugins/health-backend/src/__testUtils__/fakeKubernetes';
import {
  degradedStaging,
  healthyDev,
} from '../plugins/health-backend/src/__testUtils__/scenario';
import { FakeAzure } from '../plugins/azure-monitor-backend/src/__testUtils__/fakeAzure';
import { fakeAzureOptions } from '../plugins/azure-monitor-backend/src/__testUtils__/scenario';
import { FAKE_AZURE_PORT, FAKE_CLUSTER_TOKEN, FAKE_CLUSTERS } from '../playwright.config';

// Three fake AKS API servers answer the real @kubernetes/client-node of the health backend:
// dev healthy, staging OutOfSync with a crash-looping pod, prod never answers. A fake Azure
// answers the real Azure SDK clients with payments-api's resources and firing alerts.
let fakes: FakeKubernetes[] = [];
let azure: FakeAzure;

test.beforeAll(async () => {
  const [dev, staging, prod] = FAKE_CLUSTERS;
  fakes = [
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
  await Promise.all([...fakes.map(f => f.close()), azure.close()]);
});

test('a component page shows its health, environments and cloud resources, naming the cluster that hangs', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
  const started = Date.now();
  await page.goto('/catalog/default/component/payments-api');

  const health = page.locator('.MuiCard-root').filter({ hasText: /^Health/ });
  // A Sev0 alert on payments-db makes it Down; the crash-looping staging pod is listed too.
  await expect(health.getByLabel('verdict')).toHaveText(/Down/, { timeout: 20_000 });
  await expect(health.getByText(/payments-db CPU above 90%/).first()).toBeVisible();
  await expect(health.getByText(/CrashLoopBackOff/).first()).toBeVisible();
  await expect(health.getByText(/aks-prod/).first()).toBeVisible();
  expect(Date.now() - started).toBeLessThan(15_000);

  const envs = page.locator('.MuiCard-root').filter({ hasText: /^Environments/ });
  await expect(envs.getByText('aks-staging')).toBeVisible();
  await expect(envs.getByRole('link', { name: /OutOfSync/ })).toBeVisible();
  await expect(envs.getByText('aks-dev')).toBeVisible();
  await expect(envs.getByText('2/2')).toBeVisible();

  const resources = page.locator('.MuiCard-root').filter({ hasText: /^Cloud resources/ });
  await expect(resources.getByText(/Database/).first()).toBeVisible();

  const alerts = page.locator('.MuiCard-root').filter({ hasText: /^Azure alerts/ });
  const sev0 = alerts.getByRole('link', { name: /payments-db CPU above 90%/ });
  await expect(sev0).toBeVisible();
  await expect(sev0).toHaveAttribute('href', /portal\.azure\.com/);
  await expect(alerts.getByText('payments-api 5xx')).toBeVisible();
  const metrics = page.locator('.MuiCard-root').filter({ hasText: /^Azure Monitor metrics/ });
  await expect(metrics.getByText('Requests', { exact: true }).first()).toBeVisible();
  // The charts drew lines through the fake's data points, not just empty axes.
  const curves = metrics.locator('.recharts-line path.recharts-curve');
  await expect(curves.first()).toHaveAttribute('d', /^M[-\d.]+,[-\d.]+[CL]/);
  expect(await curves.count()).toBeGreaterThan(1);
  // Another time range asks the backend again, for that range.
  const rangeRequest = page.waitForRequest(
    /\/api\/azure-monitor\/v1\/entities\/[^/]+\/default\/payments-api\/metrics\?range=24h$/,
  );
  await metrics.getByRole('button', { name: /Time range/ }).click();
  await page.getByRole('option', { name: 'Last 24 hours' }).click();
  expect((await (await rangeRequest).response())?.ok()).toBe(true);
  await expect(metrics.getByRole('button', { name: /Time range/ })).toHaveText(/Last 24 hours/);
  await expect(curves.first()).toHaveAttribute('d', /^M[-\d.]+,[-\d.]+[CL]/);

  await page.screenshot({ path: 'test-results/screenshots/component-health.png', fullPage: true });
  await alerts.screenshot({ path: 'test-results/screenshots/azure-alerts-card.png' });
  await metrics.screenshot({ path: 'test-results/screenshots/azure-metrics-card.png' });
  await health.screenshot({ path: 'test-results/screenshots/health-card.png' });
  await envs.screenshot({ path: 'test-results/screenshots/environments-card.png' });
  await resources.screenshot({ path: 'test-results/screenshots/cloud-resources-card.png' });
});

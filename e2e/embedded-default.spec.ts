import { expect, test } from '@playwright/test';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { BackendProcess, guestToken, startBackend, waitFor } from './support/backend';

// What a new user sees on a fresh clone: no AKS clusters and no Azure configured.
const BASE = 'http://localhost:7037';
let backend: BackendProcess;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  backend = startBackend({
    configs: ['app-config.yaml', 'e2e/fixtures/app-config.embedded-default.yaml'],
    env: { APP_CONFIG_gitHost_root: fs.mkdtempSync(path.join(os.tmpdir(), 'idp-e2e-embedded-git-')) },
  });
  await waitFor('the embedded default portal', () => guestToken(BASE), 170_000);
});

test.afterAll(() => backend?.stop());

test('a component page in the embedded default shows no error and no partial result, and each card says what to set up', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(BASE);
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
  await page.goto(`${BASE}/catalog/default/component/payments-api`);

  // Health, environments and cloud resources: the portal has no clusters.
  await expect(page.getByText('Not set up for this portal yet', { exact: true })).toHaveCount(3, { timeout: 60_000 });
  await expect(page.getByText('kubernetes.clusterLocatorMethods').first()).toBeVisible();
  // Azure Monitor metrics and alerts: the portal has no Azure settings.
  await expect(page.getByText('Azure Monitor is not set up for this portal yet', { exact: true })).toHaveCount(2);
  await expect(page.getByText('azureMonitor.subscriptionIds').first()).toBeVisible();

  const text = await page.locator('main').innerText();
  expect(text).not.toMatch(/Error|Bad Request|Partial result|\(partial\)|could not be read/);
  await page.screenshot({ path: 'test-results/screenshots/embedded-default-component.png', fullPage: true });
});

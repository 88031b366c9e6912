import { expect, test } from '@playwright/test';
import { chooseGoldenPath } from './support/guest';

test('a developer fills the Node.js golden path form and finds the new service in the catalog', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await chooseGoldenPath(page, 'Node.js HTTP service');

  // Page 1: about the service. Client-side validation refuses a bad name first.
  const name = page.getByRole('textbox', { name: 'Name' });
  await name.fill('Checkout/API');
  await page.getByRole('textbox', { name: 'Description' }).fill('Browser-made service');
  const owner = page.getByRole('textbox', { name: 'Owner' });
  await owner.click();
  await owner.fill('Storefront');
  await page.getByRole('option').filter({ hasText: 'Storefront' }).first().click();
  // The field checks the name with the same rules the check step applies on the server.
  await expect(page.getByText('Service name "Checkout/API" contains "/"').first()).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  // Still on the first page: the form does not go on with a refused name.
  await expect(name).toBeVisible();
  await name.fill('kube-system');
  await expect(page.getByText('Service name "kube-system" is reserved').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/create-form-invalid.png' });

  await name.fill('browser-checkout-api');
  await page.getByRole('button', { name: 'Next' }).click();

  // Page 2: how it runs, with the defaults; add a database.
  await expect(page.getByText('Environments')).toBeVisible();
  await page.getByLabel('PostgreSQL database').check();
  await page.getByRole('button', { name: 'Next' }).click();

  // Page 3: guardrails; no exemption asked for. The preview runs the check the Create step
  // will, as the guest, and shows the files and each rule's result before anything exists.
  await expect(page.getByText('Exemptions').first()).toBeVisible();
  await expect(page.getByLabel('preview summary')).toHaveText(
    /^\d+ files to add and 0 to change in the GitOps repository; guardrails: \d+ rules pass/,
    { timeout: 30_000 },
  );
  await page.getByLabel('apps/browser-checkout-api/overlays/dev/resources/database-browser-checkout-api-db.yaml').click();
  await expect(page.getByText('kind: Database')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/create-preview.png', fullPage: true });
  await page.getByRole('button', { name: 'Review' }).click();

  // Review shows what will be created, with the preview's summary.
  await expect(page.getByText('browser-checkout-api').first()).toBeVisible();
  await expect(page.getByText(/files to add and 0 to change in the GitOps repository; guardrails: \d+ rules pass/)).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/create-review.png' });
  await page.getByRole('button', { name: 'Create' }).click();

  const open = page.getByRole('link', { name: 'Open in catalog' });
  await expect(open).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('link', { name: 'GitOps commit' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/create-done.png' });
  await open.click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/browser-checkout-api/);
  await expect(page.getByText('Browser-made service').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/create-new-component.png' });
});

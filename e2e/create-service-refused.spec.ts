import { expect, test } from '@playwright/test';
import { chooseGoldenPath, signInAsGuest } from './support/guest';

test('the guest picks another team as owner in the form and the portal refuses it, saying why', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // The guest is a member of storefront-team only (catalog/org.yaml).
  await signInAsGuest(page);
  await chooseGoldenPath(page, 'Node.js HTTP service');

  await page.getByRole('textbox', { name: 'Name' }).fill('browser-not-ours');
  await page
    .getByRole('textbox', { name: 'Description' })
    .fill('Not ours to make');
  const owner = page.getByRole('textbox', { name: 'Owner' });
  await owner.click();
  await owner.fill('Payments');
  await page
    .getByRole('option')
    .filter({ hasText: 'Payments' })
    .first()
    .click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  await expect(
    page
      .getByText(
        /user:development\/guest is not a member of group:default\/payments-team, so it cannot be the owner/,
      )
      .first(),
  ).toBeVisible({ timeout: 60_000 });
  await page.screenshot({
    path: 'test-results/screenshots/create-refused.png',
  });
  // The check step failed, so no later step ran.
  await expect(page.getByText('Create the service repository')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open in catalog' })).toHaveCount(
    0,
  );
});

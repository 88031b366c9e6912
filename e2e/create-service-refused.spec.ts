import { expect, test } from '@playwright/test';
import { chooseGoldenPath, signInAsGuest } from './support/guest';

test('the guest picks another team as owner in the form and the preview refuses it before Create, saying why', async ({
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

  // The last page's preview asks the server the check step's questions, as the guest.
  const refused = page.getByLabel('preview refused');
  await expect(refused).toContainText(
    /user:development\/guest is not a member of group:default\/payments-team, so it cannot be the owner/,
    { timeout: 30_000 },
  );
  await page.getByRole('button', { name: 'Review' }).click();
  // The form does not go on: nothing is created, and the page says what to change.
  await expect(page.getByText(/The Create step would refuse these values, as the preview says/).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create' })).toHaveCount(0);
  await page.screenshot({
    path: 'test-results/screenshots/create-refused.png',
    fullPage: true,
  });
});

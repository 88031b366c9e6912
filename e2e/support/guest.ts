import { expect, Page } from '@playwright/test';

/** Signs in as the guest and waits for the sidebar, so later navigation is signed in. */
export async function signInAsGuest(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/** From the sidebar's Create page, opens the golden path with this title. */
export async function chooseGoldenPath(page: Page, title: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Create', exact: true })
    .click();
  const card = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText(title, { exact: true }) });
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Choose' }).click();
}

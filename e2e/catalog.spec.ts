import { expect, test, Page } from '@playwright/test';

async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

test('a guest sees the example organisation in the catalog', async ({
  page,
}) => {
  await signInAsGuest(page);

  await expect(
    page.getByRole('heading', { name: 'Contoso Catalog' }),
  ).toBeVisible();
  // The default filter shows what the guest owns; widen it to the whole organisation.
  await expect(page.getByText(/Owned Components/)).toBeVisible();
  await page.getByRole('menuitem', { name: /^All/ }).click();
  await expect(page.getByText(/All Components \(4\)/)).toBeVisible();
  const table = page.getByRole('table');
  for (const title of ['Payments API', 'Ledger Worker', 'Checkout Web']) {
    await expect(
      table.getByRole('link', { name: title, exact: true }),
    ).toBeVisible();
  }
  // create-app's example data is gone.
  await expect(page.getByText('example-website')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/catalog.png' });

  await table.getByRole('link', { name: 'Payments API', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api/);
  await expect(
    page.getByText('Authorises and captures payments for checkout.'),
  ).toBeVisible();
  await expect(page.getByRole('link', { name: 'Payments' }).first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/component.png' });
});

test('a guest opens the Create page', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/create');
  await expect(page.getByRole('heading', { name: 'Create', level: 1 })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Templates' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/create.png' });
});

test('a resource form finds its service by search, not by loading every component', async ({ page }) => {
  await signInAsGuest(page);
  const queries: string[] = [];
  page.on('request', r => {
    if (r.url().includes('/api/catalog/entities/by-query')) queries.push(r.url());
  });
  await page.goto('/create/templates/default/postgres-database');
  const service = page.getByLabel('Service', { exact: false }).first();
  await service.click();
  await service.fill('check');
  const option = page.getByRole('option', { name: /checkout-web/ });
  await expect(option).toBeVisible();
  await expect(page.getByRole('option', { name: /payments-api/ })).toHaveCount(0);
  await option.click();
  await expect(service).toHaveValue(/checkout-web/);
  await page.screenshot({ path: 'test-results/screenshots/resource-form-picker.png' });
  // Each ask is a page of names matching what was typed, never the whole catalog.
  const search = queries.map(q => new URL(q)).find(u => u.searchParams.get('fullTextFilterTerm') === 'check');
  expect(search?.searchParams.get('limit')).toBe('20');
  expect(search?.searchParams.get('fields')).toBe('kind,metadata.namespace,metadata.name,metadata.title');
  expect(queries.every(q => new URL(q).searchParams.has('limit'))).toBe(true);
});

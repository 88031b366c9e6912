import { expect, Locator, Page, test } from '@playwright/test';
import { useTroubledPlatform } from './support/fakes';
import { signInAsGuest } from './support/guest';

// Each kind of entity gets the cards that can apply to it, health first and catalog relations
// after, in the order app-config.yaml lists them. The clusters and Azure are the fakes of
// useTroubledPlatform, so the health and Azure Monitor cards have something to show.
useTroubledPlatform();

const HEALTH_CARDS = ['Health', 'Environments', 'Deployments', 'Cloud resources', 'Guardrails'];
const AZURE_CARDS = ['Azure alerts', 'Azure Monitor metrics'];
const SERVICE_RELATIONS = [
  'Provided APIs',
  'Consumed APIs',
  'Depends on components',
  'Depends on resources',
  'Has subcomponents',
  'Relations',
];

// Our cards are core-components InfoCards; the catalog's relation cards are articles.
const CARDS = 'article, .MuiCard-root';

/** One card of the overview, by its title. */
function card(page: Page, title: string): Locator {
  return page.getByRole('main').locator(CARDS).filter({ hasText: new RegExp(`^${title}`) });
}

/** The titles of the overview's cards in page order, but About, which has a column of its own. */
async function cardTitles(page: Page): Promise<string[]> {
  const titles = await page
    .getByRole('main')
    .locator(CARDS)
    .evaluateAll((cards, selector) =>
      cards
        // A card inside a card is part of it.
        .filter(el => !el.parentElement?.closest(selector))
        .map(el => (el as HTMLElement).innerText.split('\n')[0].trim()),
      CARDS,
    );
  return titles.filter(title => title !== 'About');
}

async function screenshot(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

test('a service opens with its health, environments, cloud resources and Azure Monitor, then its relations', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api');
  await expect(card(page, 'Health').getByLabel('verdict')).toHaveText(/Down/, { timeout: 20_000 });
  await expect(card(page, 'Environments').getByText('aks-staging')).toBeVisible();
  await expect(card(page, 'Cloud resources').getByText(/Database payments-db/).first()).toBeVisible();
  await expect(card(page, 'Azure alerts').getByText('payments-api 5xx')).toBeVisible();
  await expect(
    card(page, 'Azure Monitor metrics').locator('.recharts-line path.recharts-curve').first(),
  ).toBeVisible();
  await expect(card(page, 'Provided APIs').getByRole('link', { name: 'Payments API' })).toBeVisible();
  await expect(card(page, 'Relations')).toBeVisible();

  await expect.poll(() => cardTitles(page)).toEqual([...HEALTH_CARDS, ...AZURE_CARDS, ...SERVICE_RELATIONS]);
  await expect(card(page, 'About')).toBeVisible();
  await screenshot(page, 'entity-page-service');
});

test('a website gets the health and relation cards that can apply to it, and no Provided APIs', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout-web');
  await expect(card(page, 'Health').getByLabel('verdict')).toBeVisible({ timeout: 20_000 });
  await expect(card(page, 'Environments').getByText('aks-dev')).toBeVisible();
  // The React golden path can give a website a database, so its Crossplane resources count.
  await expect(
    card(page, 'Cloud resources').getByText('This component has no Crossplane resources.'),
  ).toBeVisible();
  await expect(card(page, 'Consumed APIs').getByRole('link', { name: 'Payments API' })).toBeVisible();
  await expect(card(page, 'Relations')).toBeVisible();

  // checkout-web names no Azure resources, so no Azure Monitor card; it provides no API.
  await expect.poll(() => cardTitles(page)).toEqual([
    ...HEALTH_CARDS,
    ...SERVICE_RELATIONS.filter(title => title !== 'Provided APIs'),
  ]);
  await screenshot(page, 'entity-page-website');
});

test('a Resource shows the components that depend on it, and no pod or environment card', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/payments-db');
  await expect(card(page, 'Relations')).toBeVisible();
  const dependents = card(page, 'Dependency of components');
  await expect(dependents.getByRole('link', { name: 'Payments API' })).toBeVisible();
  await expect(dependents.getByRole('link', { name: 'Ledger Worker' })).toBeVisible();

  // payments-db names no kubernetes-id and no Azure resource: its Crossplane state and Azure
  // Monitor have nothing to read, so their cards stay away rather than show an error.
  await expect.poll(() => cardTitles(page)).toEqual(['Dependency of components', 'Relations']);
  await expect(card(page, 'About')).toBeVisible();
  await screenshot(page, 'entity-page-resource');
});

import { expect, Locator, Page, test } from '@playwright/test';
import { parse, stringify } from 'yaml';
import { commitOutsideThePortal, goldenPathFiles } from './support/gitops';
import { signInAsGuest } from './support/guest';

// The scan reads the GitOps repository every 2 s here (playwright.config.ts), so what an
// outside commit does to a component shows without waiting the default 5 minutes.

const PROD_OVERLAY = 'apps/payments-api/overlays/prod/kustomization.yaml';

function card(page: Page, title: string): Locator {
  return page.getByRole('main').locator('.MuiCard-root').filter({ hasText: new RegExp(`^${title}`) });
}

async function screenshot(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

test('a commit made outside the portal that breaks a guardrail shows on the component page and the Guardrails page', async ({ page }) => {
  // payments-api as the HTTP golden path writes it, with a justified exemption from the probes rule.
  const files = goldenPathFiles({
    name: 'payments-api',
    owner: 'group:default/payments-team',
    type: 'http',
    port: 8080,
    size: 'small',
    imageTag: '1.4.2',
    exemptions: [
      { policy: 'guardrails-probes', justification: 'The health endpoints ship with release 1.5' },
    ],
  });
  commitOutsideThePortal(files, 'payments-api, as the golden path writes it');
  // Then someone edits the prod overlay by hand to run an image from Docker Hub.
  const overlay = parse(files[PROD_OVERLAY]);
  overlay.images[0].newName = 'docker.io/contoso/payments-api';
  const head = commitOutsideThePortal(
    { [PROD_OVERLAY]: stringify(overlay) },
    'prod: pull the image from Docker Hub',
  );

  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api');
  const guardrails = card(page, 'Guardrails');
  const broken = guardrails.getByLabel('failed guardrails-images-from-acr[0]');
  await expect(async () => {
    await page.reload();
    await expect(guardrails.getByLabel('scan')).toContainText(head.slice(0, 7), { timeout: 5_000 });
  }).toPass({ timeout: 45_000 });
  await expect(guardrails.getByLabel('guardrails summary')).toHaveText(
    // The probes policy has two rules, liveness and readiness; the exemption covers both.
    '1 rule is broken in dev, prod, staging. 2 rules are exempted.',
  );
  await expect(broken).toContainText('Breaks');
  await expect(broken).toContainText('Deployment payments-api/payments-api');
  await expect(broken).toContainText('docker.io/contoso/payments-api');
  // The exemption shows once, with its justification and the environments it covers.
  await expect(guardrails.getByLabel('exempted guardrails-probes')).toHaveText(
    /Deployment payments-api\/payments-api in dev, prod, staging: “The health endpoints ship with release 1.5”/,
  );
  await guardrails.scrollIntoViewIfNeeded();
  await screenshot(page, 'guardrails-card');

  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Guardrails', exact: true })
    .click();
  await expect(page.getByRole('heading', { name: 'Guardrails' })).toBeVisible();
  const component = page.getByRole('row', { name: 'component:default/payments-api' });
  await expect(component.getByLabel('failed guardrails-images-from-acr[0]')).toContainText(
    'Deployment payments-api/payments-api',
  );
  await expect(component.getByRole('link', { name: /payments-api|Payments API/ })).toBeVisible();

  // Every rule is listed with its environments, enforcement and exemption rate.
  await expect(page.getByText(/^Rules \(\d+\)$/)).toBeVisible();
  const rules = page.getByRole('table', { name: 'rules' }).getByRole('row');
  expect(await rules.count()).toBeGreaterThan(13);
  const pinned = page.getByRole('row', { name: 'guardrails-images-from-acr[0]' });
  await expect(pinned).toContainText('Deny');
  const probes = page.getByRole('row', { name: 'guardrails-probes[0]' });
  await expect(probes.getByLabel('exemption rate')).not.toHaveText(/^(0%|—)$/);
  await expect(probes).toContainText('with a justification');
  const labels = page.getByRole('row', { name: 'guardrails-required-labels[0]' });
  await expect(labels).toContainText('none');
  const replicas = page.getByRole('row', { name: 'guardrails-prod-min-replicas[0]' });
  await expect(replicas.getByRole('cell').nth(1)).toHaveText('prod');
  // The page scrolls inside its content: a tall window shows all of it in one picture.
  await page.setViewportSize({ width: 1440, height: 4200 });
  await screenshot(page, 'guardrails-page');
});

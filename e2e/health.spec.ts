import { expect, test } from '@playwright/test';
import { useTroubledPlatform } from './support/fakes';
import { signInAsGuest } from './support/guest';

// Three fake AKS API servers answer the real @kubernetes/client-node of the health backend:
// dev healthy, staging OutOfSync with a crash-looping pod, prod never answers. A fake Azure
// answers the real Azure SDK clients with payments-api's resources and firing alerts.
useTroubledPlatform();

test('a component page shows its health, environments and cloud resources, naming the cluster that hangs', async ({ page }) => {
  await signInAsGuest(page);
  const started = Date.now();
  await page.goto('/catalog/default/component/payments-api');

  const health = page.locator('.MuiCard-root').filter({ hasText: /^Health/ });
  // A Sev0 alert on payments-db makes it Down; the crash-looping staging pod is listed too.
  await expect(health.getByLabel('verdict')).toHaveText(/Down/, { timeout: 20_000 });
  await expect(health.getByText(/payments-db CPU above 90%/).first()).toBeVisible();
  await expect(health.getByText(/CrashLoopBackOff/).first()).toBeVisible();
  await expect(health.getByText(/aks-prod/).first()).toBeVisible();
  expect(Date.now() - started).toBeLessThan(15_000);
  // The summary: each environment's state beside the verdict, reasons grouped where seen.
  const strip = health.getByLabel('environments');
  await expect(strip).toHaveText(/dev.*Healthy.*staging.*Degraded.*prod.*Unknown/);
  const groups = await health.getByRole('group').evaluateAll(els => els.map(e => e.getAttribute('aria-label')));
  expect(groups.slice(0, 3)).toEqual(['dev', 'staging', 'prod']);
  expect(groups).toContain('Azure Monitor');
  // The hanging cluster is named once, as the subject, not again at the start of its message.
  const prodGroup = health.getByRole('group', { name: 'prod' });
  await expect(prodGroup.getByText(/^Did not answer within/)).toBeVisible();
  await expect(health.getByTestId('health-age')).toHaveText(/^Read \d+ s ago/);
  await page.setViewportSize({ width: 1440, height: 1100 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'test-results/screenshots/component-troubled.png' });
  await page.setViewportSize({ width: 1440, height: 900 });

  const envs = page.locator('.MuiCard-root').filter({ hasText: /^Environments/ });
  await expect(envs.getByText('aks-staging')).toBeVisible();
  await expect(envs.getByRole('link', { name: /OutOfSync/ })).toBeVisible();
  await expect(envs.getByText('aks-dev')).toBeVisible();
  await expect(envs.getByText('2/2 ready')).toBeVisible();

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

  // No chart tooltip over the screenshots.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'test-results/screenshots/component-health.png', fullPage: true });
  await alerts.screenshot({ path: 'test-results/screenshots/azure-alerts-card.png' });
  await metrics.screenshot({ path: 'test-results/screenshots/azure-metrics-card.png' });
  await health.screenshot({ path: 'test-results/screenshots/health-card.png' });
  await envs.screenshot({ path: 'test-results/screenshots/environments-card.png' });
  await resources.screenshot({ path: 'test-results/screenshots/cloud-resources-card.png' });
});

for (const width of [1280, 1920]) {
  test(`at ${width} px no reason is cut off, no status word breaks, and every environments column can be reached`, async ({ page }) => {
    await page.setViewportSize({ width, height: 1000 });
    await signInAsGuest(page);
    await page.goto('/catalog/default/component/payments-api');
    const health = page.locator('.MuiCard-root').filter({ hasText: /^Health/ });
    await expect(health.getByLabel('verdict')).toHaveText(/Down/, { timeout: 20_000 });
    const envs = page.locator('.MuiCard-root').filter({ hasText: /^Environments/ });
    await expect(envs.getByText('aks-staging')).toBeVisible();

    const measured = await page.evaluate(() => {
      const card = (title: string) =>
        [...document.querySelectorAll('.MuiCard-root')].find(c => c.textContent?.startsWith(title))!;
      const reasons = [...card('Health').querySelectorAll('[aria-label="reasons"] li')].map(li => {
        const text = li.querySelector('.MuiListItemText-root') as HTMLElement;
        return { cut: text.scrollWidth > text.clientWidth + 1, text: text.innerText.slice(0, 60) };
      });
      const envCard = card('Environments');
      const cardRect = envCard.getBoundingClientRect();
      // A column past the card's edge must sit in a box that scrolls sideways (with its scrollbar).
      const scrollsSideways = (el: Element | null): boolean => {
        for (let e = el?.parentElement; e && envCard.contains(e); e = e.parentElement) {
          const overflow = getComputedStyle(e).overflowX;
          // ...and shows its scrollbar: it takes height below the content.
          const scrollbar = e.offsetHeight - e.clientHeight > 0;
          if ((overflow === 'auto' || overflow === 'scroll') && e.scrollWidth > e.clientWidth && scrollbar) return true;
        }
        return false;
      };
      const headers = [...envCard.querySelectorAll('th')].map(th => {
        const r = th.getBoundingClientRect();
        return { title: th.textContent, inside: r.right <= cardRect.right + 1, scrolls: scrollsSideways(th) };
      });
      // A status word on one line: its text lies in one line box.
      const statusWords = [...document.querySelectorAll('[aria-label="reasons"] span[style*="nowrap"], td span[style*="nowrap"]')].map(
        el => {
          // Only the word's own text: the status icon beside it sits at another height.
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          const tops = new Set<number>();
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
          }
          return { word: el.textContent, lines: tops.size };
        },
      );
      return { reasons, headers, statusWords };
    });
    expect(measured.reasons.length).toBeGreaterThan(0);
    expect(measured.reasons.filter(r => r.cut)).toEqual([]);
    // Each column is inside the card, or the table scrolls sideways to it.
    for (const header of measured.headers) {
      expect(header.inside || header.scrolls, `${header.title} at ${width} px`).toBe(true);
    }
    expect(measured.statusWords.length).toBeGreaterThan(0);
    expect(measured.statusWords.filter(w => w.lines !== 1)).toEqual([]);
    await envs.screenshot({ path: `test-results/screenshots/environments-card-${width}.png` });
  });
}

test('the Kubernetes tab shows pods, errors and restarts per cluster, naming the cluster that hangs', async ({ page }) => {
  await signInAsGuest(page);
  // A backend that just started may still be reading the catalog.
  await expect(async () => {
    await page.goto('/catalog/default/component/payments-api');
    await expect(page.getByRole('heading', { name: 'Payments API' })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  const started = Date.now();
  await page.goto('/catalog/default/component/payments-api/kubernetes');

  // aks-prod never answers: after kubernetes.clusterTimeoutMs (2 s here) it is named in the
  // error panel, and the clusters that answered are shown.
  const errors = page.getByRole('alert').filter({ hasText: 'There was a problem retrieving Kubernetes objects' });
  await expect(errors).toBeVisible({ timeout: 15_000 });
  const dev = page.locator('.MuiAccordion-root').filter({ has: page.getByText('aks-dev', { exact: true }) });
  const staging = page
    .locator('.MuiAccordion-root')
    .filter({ has: page.getByText('aks-staging', { exact: true }) });
  await expect(dev.getByText('2 pods', { exact: true }).first()).toBeVisible();
  await expect(dev.getByText('No pods with errors').first()).toBeVisible();
  await expect(staging.getByText('3 pods', { exact: true }).first()).toBeVisible();
  await expect(staging.getByText('2 pods with errors').first()).toBeVisible();
  expect(Date.now() - started).toBeLessThan(15_000);

  await errors.getByRole('button', { name: /There was a problem retrieving Kubernetes objects/ }).click();
  await expect(errors.getByText('Cluster: aks-prod')).toBeVisible();
  await expect(
    errors.getByText(
      // A later poll, while the first read is still open, says so instead of asking again.
      /Kubernetes cluster aks-prod (did not answer within 2000 ms|has not answered a read sent \d+ s ago, so it is not asked again until that read ends) — check that the API server is reachable from the Backstage backend/,
    ),
  ).toBeVisible();

  // The Error Reporting table names the crash-looping staging pod.
  const reporting = page.locator('.MuiPaper-root').filter({ hasText: /^Error Reporting/ });
  await expect(reporting.getByText('payments-api-7f4b9c8d6-p8r9s').first()).toBeVisible();
  await expect(reporting.getByText('container=other-side-car restarted 123 times')).toBeVisible();

  // staging: the payments-api Deployment, its pods and their restarts.
  await staging.getByText('aks-staging', { exact: true }).click();
  // ArgoCD and Crossplane objects are read as custom resources, with no credential of their own.
  await expect(staging.getByText('payments-api-staging', { exact: true })).toBeVisible();
  await expect(staging.getByText('Application', { exact: true })).toBeVisible();
  await expect(staging.getByText('payments-db', { exact: true })).toBeVisible();
  await expect(staging.getByText('Database', { exact: true })).toBeVisible();
  const deployment = staging
    .locator('.MuiAccordion-root')
    .filter({ has: page.getByText('payments-api', { exact: true }) });
  await expect(deployment.getByText('2 pods with errors')).toBeVisible();
  // The Deployment's name opens its drawer; the rest of the summary expands its pods.
  await deployment.getByText('3 pods', { exact: true }).click();
  const pods = deployment.getByRole('table');
  await expect(pods.getByRole('columnheader', { name: /total restarts/ })).toBeVisible();
  const crashing = pods.getByRole('row').filter({ hasText: 'payments-api-7f4b9c8d6-p8r9s' });
  await expect(crashing).toContainText('161');
  await expect(crashing).toContainText(/CrashLoopBackOff/);
  await expect(pods.getByRole('row').filter({ hasText: 'payments-api-7f4b9c8d6-t2v3w' })).toContainText(
    /CreateContainerConfigError/,
  );
  await expect(pods.getByRole('row').filter({ hasText: 'payments-api-7f4b9c8d6-h5j6k' })).toBeVisible();

  await page.getByRole('main').screenshot({ path: 'test-results/screenshots/kubernetes-tab.png' });

  // dev: both pods of its Deployment, running.
  await dev.getByText('aks-dev', { exact: true }).click();
  const devDeployment = dev
    .locator('.MuiAccordion-root')
    .filter({ has: page.getByText('payments-api', { exact: true }) });
  await devDeployment.getByText('2 pods', { exact: true }).click();
  for (const name of ['payments-api-6c9f8d7b5-2xk4q', 'payments-api-6c9f8d7b5-9wq7z']) {
    await expect(devDeployment.getByRole('row').filter({ hasText: name })).toContainText('Running');
  }
});

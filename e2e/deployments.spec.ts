import { expect, test } from '@playwright/test';
import {
  application,
  deployment,
  FakeKubernetes,
  noCrossplaneResources,
  pod,
  replicaSet,
} from '@internal/test-fakes/kubernetes';
import { parse, stringify } from 'yaml';
import { FAKE_CLUSTER_TOKEN, FAKE_CLUSTERS } from '../playwright.config';
import { cloneRepo, runTemplate, taskLog } from './support/scaffolder';
import { commitOutsideThePortal, goldenPathFiles } from './support/gitops';
import { signInAsGuest } from './support/guest';

// checkout-web (storefront-team, the guest's team) as the React golden path writes it, with CI
// having deployed 3.2.0 to dev; each fake AKS cluster runs what ArgoCD synced there.
const SERVICE = 'checkout-web';
const GITOPS = 'http://localhost:7007/api/git-host/gitops.git';
const overlay = (env: string) => `apps/${SERVICE}/overlays/${env}/kustomization.yaml`;
const image = (tag: string) => `contoso.azurecr.io/${SERVICE}:${tag}`;

function cluster(environment: string, tag: string, revision: string, hash = '7d9f8c6b5') {
  const dep = deployment({ service: SERVICE, environment, image: image(tag), templateHash: hash, replicas: 2, readyReplicas: 2 });
  const rs = replicaSet({ deployment: dep, templateHash: hash });
  return {
    token: FAKE_CLUSTER_TOKEN,
    deployments: [dep],
    replicaSets: [rs],
    pods: ['a1b2c', 'd3e4f'].map(suffix =>
      pod({ fixture: 'healthy', name: `${SERVICE}-${hash}-${suffix}`, namespace: SERVICE, kubernetesId: SERVICE, environment, image: image(tag), owner: rs }),
    ),
    applications: [
      application({ service: SERVICE, environment, sync: 'Synced', health: 'Healthy', revision, operationPhase: 'Succeeded', images: [image(tag)] }),
    ],
    // Installed and empty: a 404 would tell the portal the XRDs are missing for a minute,
    // and the next spec's clusters on these ports have Databases.
    crossplane: noCrossplaneResources(),
  };
}

let clusters: FakeKubernetes[] = [];
test.afterAll(async () => {
  await Promise.all(clusters.map(c => c.close()));
});

test('the deployments view shows each environment, and a promotion is confirmed with its diff and committed', async ({ page }) => {
  test.setTimeout(120_000);
  const created = commitOutsideThePortal(
    goldenPathFiles({ name: SERVICE, owner: 'group:default/storefront-team', type: 'frontend', port: 8080, imageTag: '3.1.0' }),
    `${SERVICE}, as the React golden path writes it`,
  );
  const dev = parse((await (await cloneRepo(GITOPS)).read(overlay('dev'))));
  dev.images[0].newTag = '3.2.0';
  const ci = commitOutsideThePortal({ [overlay('dev')]: stringify(dev) }, `CI: ${SERVICE} 3.2.0 to dev`);
  const [devPort, stagingPort, prodPort] = FAKE_CLUSTERS.map(c => c.port);
  clusters = [
    await FakeKubernetes.start(cluster('dev', '3.2.0', ci), devPort),
    await FakeKubernetes.start(cluster('staging', '3.1.0', created), stagingPort),
    await FakeKubernetes.start(cluster('prod', '3.1.0', created), prodPort),
  ];

  await signInAsGuest(page);
  await page.goto(`/catalog/default/component/${SERVICE}/deployments`);
  const table = page.getByRole('table', { name: 'deployments' });
  const row = (env: string) => table.getByRole('row', { name: env, exact: true });
  await expect(row('dev')).toContainText('3.2.0', { timeout: 30_000 });
  await expect(row('dev')).toContainText('In sync');
  await expect(row('dev')).toContainText(ci.slice(0, 7));
  await expect(row('dev')).toContainText('Outside Editor');
  await expect(row('staging')).toContainText('3.1.0');
  await expect(row('prod')).toContainText('Synced, Healthy');
  await page.screenshot({ path: 'test-results/screenshots/deployments-view.png', fullPage: true });

  await row('dev').getByRole('button', { name: 'Promote to staging' }).click();
  const dialog = page.getByRole('dialog', { name: `Promote ${SERVICE} from dev to staging` });
  await expect(dialog.getByLabel('diff')).toHaveText(
    `${overlay('staging')}\n-  ${image('3.1.0')}\n+  ${image('3.2.0')}`,
  );
  await expect(dialog).toContainText('This commits to the GitOps repository in your name');
  // The dialog fades in; the picture is taken once it has.
  await expect(page.locator('.MuiDialog-container')).toHaveCSS('opacity', '1');
  await page.screenshot({ path: 'test-results/screenshots/deployments-promote.png' });
  await dialog.getByRole('button', { name: 'Promote' }).click();

  // The scaffolder's task page runs the promote-service template, then follows the rollout.
  await expect(page).toHaveURL(/\/create\/tasks\//);
  const taskUrl = page.url();
  await expect(page.getByText('Commit the promotion to the GitOps repository').first()).toBeVisible();
  await expect(page.getByText('Follow the rollout').first()).toBeVisible();
  let repo = await cloneRepo(GITOPS);
  await expect(async () => {
    repo = await cloneRepo(GITOPS);
    expect(parse(await repo.read(overlay('staging'))).images[0].newTag).toBe('3.2.0');
  }).toPass({ timeout: 60_000 });
  expect(repo.log[0].commit.author.name).toBe('Guest');
  expect(repo.log[0].commit.message).toContain('Promoted-From: dev');

  // Git is ahead of the staging cluster now, and the view says so.
  await page.goto(`/catalog/default/component/${SERVICE}/deployments`);
  await expect(row('staging')).toContainText('Waiting for ArgoCD', { timeout: 30_000 });
  await expect(row('staging').getByLabel('explanation')).toHaveText(
    `Committed 3.2.0 in ${repo.log[0].oid.slice(0, 7)} by Guest; ArgoCD is still at ${created.slice(0, 7)} (Synced).`,
  );
  await page.screenshot({ path: 'test-results/screenshots/deployments-pending.png', fullPage: true });

  // The promotion's timeline: committed, then waiting for ArgoCD in staging.
  const change = page.getByLabel('change promote staging').first();
  await expect(change.getByLabel('committed done')).toBeVisible({ timeout: 30_000 });
  await expect(change.getByLabel('synced waiting')).toBeVisible();
  // The reconciler: ArgoCD in staging syncs the promotion's commit and the new pods come up.
  const promotionSha = repo.log[0].oid;
  const synced = cluster('staging', '3.2.0', promotionSha, '5b4c3d2e1');
  const oldPods = clusters[1].options.pods ?? [];
  clusters[1].options = { ...synced, pods: oldPods };
  // The rollout, as the pod watches see it: new pods come up, the old ones go.
  for (const p of synced.pods) clusters[1].podEvent('ADDED', p);
  for (const p of oldPods) clusters[1].podEvent('DELETED', p);
  // No reload: the backend's poll announces each move on the component's signal channel.
  await expect(change.getByLabel('healthy done')).toBeVisible({ timeout: 60_000 });
  await expect(change.getByLabel('synced done')).toBeVisible();
  await expect(change).toContainText('done');
  // The rows are read again on the same signal: staging is in sync now.
  await expect(row('staging')).toContainText('In sync', { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/deployments-timeline.png', fullPage: true });

  // The task page logged each stage as it arrived, and the task ended once the pods were healthy.
  await page.goto(taskUrl);
  await expect(page.getByRole('link', { name: 'GitOps commit' })).toBeVisible({ timeout: 60_000 });
  const showLogs = page.getByRole('button', { name: /show logs/i });
  if (await showLogs.count()) await showLogs.first().click();
  await expect(page.getByText(/staging: Committed at/).first()).toBeVisible();
  await expect(page.getByText(/staging: ArgoCD synced at .* s after the commit/).first()).toBeVisible();
  await expect(page.getByText(/staging: Pods healthy at .* s after the commit/).first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/task-timeline.png', fullPage: true });

  // A preview of a branch build, through the preview-environment template.
  const previewTask = await runTemplate('preview-environment', {
    component: `component:default/${SERVICE}`,
    operation: 'create',
    preview: 'pr-7',
    imageTag: 'pr-7-9c1e2f3',
  });
  expect(previewTask.status, taskLog(previewTask)).toBe('completed');
  await page.goto(`/catalog/default/component/${SERVICE}/deployments`);
  const preview = page.getByRole('table', { name: 'previews' }).getByRole('row', { name: `${SERVICE}--pr-7` });
  await expect(preview).toContainText('pr-7-9c1e2f3', { timeout: 30_000 });
  await expect(preview).toContainText(`${SERVICE}--pr-7 in dev`);
  await expect(row('staging')).toContainText('In sync');
  await page.screenshot({ path: 'test-results/screenshots/deployments-with-preview.png', fullPage: true });

  // Deleting it asks first, then runs the template; the commit removes its files.
  await preview.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: `Delete the preview ${SERVICE}--pr-7` }).getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/create\/tasks\//);
  await expect(page.getByText('Remove the preview from the GitOps repository').first()).toBeVisible();
  await expect(async () => {
    const after = await cloneRepo(GITOPS);
    expect(after.exists(`argocd/applications/dev/previews/${SERVICE}--pr-7.yaml`)).toBe(false);
    expect(after.log[0].commit.message).toMatch(new RegExp(`^Delete the preview ${SERVICE}--pr-7`));
  }).toPass({ timeout: 60_000 });
});

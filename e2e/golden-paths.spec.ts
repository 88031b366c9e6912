import { expect, test } from '@playwright/test';
import { execFile } from 'child_process';
import { promisify } from 'util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { commitOutsideThePortal } from './support/gitops';
import { waitFor } from './support/backend';
import { BASE_URL, cloneRepo, entity, runTemplate, taskLog } from './support/scaffolder';

const exec = promisify(execFile);
const GITOPS = `${BASE_URL}/api/git-host/gitops.git`;
const repoOf = (name: string) => `${BASE_URL}/api/git-host/contoso/${name}.git`;

// Each golden path runs through the real scaffolder of the running portal, then
// the GitOps repository and the new service repository are cloned and inspected.
const services = [
  { template: 'nodejs-service', name: 'e2e-orders-api', type: 'http', runTests: ['node', ['--experimental-strip-types', '--test', 'src/**/*.test.ts']] },
  { template: 'python-worker', name: 'e2e-ledger-worker', type: 'worker', runTests: ['python3', ['-m', 'unittest', 'discover', '-s', 'tests']] },
  { template: 'react-frontend', name: 'e2e-shop-web', type: 'frontend' },
  { template: 'grpc-service', name: 'e2e-prices-grpc', type: 'grpc', port: 50051 },
] as const;

test.describe.configure({ mode: 'serial' });

for (const svc of services) {
  test(`golden path ${svc.template} commits a repository and a GitOps change, and registers the component`, async () => {
    const task = await runTemplate(svc.template, {
      name: svc.name,
      description: 'Made by the e2e test\nkind: ClusterRole',
      owner: 'group:default/storefront-team',
      system: 'system:default/payments',
      size: 'small',
      port: 'port' in svc ? svc.port : 8080,
      environments: ['dev', 'staging', 'prod'],
      database: svc.template === 'nodejs-service',
    });
    expect(task.status, taskLog(task)).toBe('completed');

    const gitops = await cloneRepo(GITOPS);
    const commit = gitops.log.find(c => c.commit.message.includes(`Entity: component:default/${svc.name}`))!;
    expect(commit.commit.message).toContain(`Template: template:default/${svc.template}`);
    expect(commit.commit.message).toContain(`Task: ${task.id}`);
    expect(commit.commit.author.name).toBe('Guest');
    for (const env of ['dev', 'staging', 'prod']) {
      const app = parse(await gitops.read(`argocd/applications/${env}/${svc.name}.yaml`));
      expect(app.spec.source.path).toBe(`apps/${svc.name}/overlays/${env}`);
      expect(app.spec.project).toBe('storefront-team');
    }
    const dep = parse(await gitops.read(`apps/${svc.name}/base/deployment.yaml`));
    expect(dep.metadata.labels['app.kubernetes.io/component']).toBe(svc.type);
    const base = parse(await gitops.read(`apps/${svc.name}/base/kustomization.yaml`));
    expect(base.commonAnnotations['idp-portal/description']).toBe('Made by the e2e test\nkind: ClusterRole');
    expect(gitops.exists(`apps/${svc.name}/overlays/prod/resources/database-${svc.name}-db.yaml`)).toBe(
      svc.template === 'nodejs-service',
    );

    const repo = await cloneRepo(repoOf(svc.name));
    expect(repo.log[0].commit.author.name).toBe('Guest');
    const [info] = parseAllDocuments(await repo.read('catalog-info.yaml')).map(d => d.toJS());
    expect(info.metadata.annotations['backstage.io/kubernetes-id']).toBe(svc.name);
    expect(info.metadata.description).toBe('Made by the e2e test\nkind: ClusterRole');
    if ('runTests' in svc) {
      // The rendered skeleton's own tests pass, with nothing installed.
      const [cmd, args] = svc.runTests;
      const { stdout, stderr } = await exec(cmd, args as string[], { cwd: repo.dir });
      expect(`${stdout}${stderr}`).toMatch(/pass|OK/);
    }

    const component = await waitFor(`component ${svc.name}`, () => entity(`component:default/${svc.name}`), 30_000);
    expect(component.spec.owner).toBe('group:default/storefront-team');
  });
}

test('running the same golden path again changes nothing in the GitOps repository', async () => {
  const before = (await cloneRepo(GITOPS)).log[0].oid;
  const task = await runTemplate('nodejs-service', {
    name: 'e2e-orders-api',
    description: 'Made by the e2e test\nkind: ClusterRole',
    owner: 'group:default/storefront-team',
    system: 'system:default/payments',
    size: 'small',
    port: 8080,
    environments: ['dev', 'staging', 'prod'],
    database: true,
  });
  expect(task.status, taskLog(task)).toBe('completed');
  expect(taskLog(task)).toContain('Nothing to commit');
  expect(taskLog(task)).toContain('already has exactly this content');
  expect((await cloneRepo(GITOPS)).log[0].oid).toBe(before);
});

test("the guest is refused a service for a team it is not in, and nothing is left behind", async () => {
  // The guest is a member of storefront-team only (catalog/org.yaml).
  const before = (await cloneRepo(GITOPS)).log[0].oid;
  const reposBefore = await (await fetch(`${BASE_URL}/api/git-host/repos`)).text();
  const task = await runTemplate('nodejs-service', {
    name: 'e2e-not-ours',
    owner: 'group:default/payments-team',
    environments: ['dev'],
  });
  expect(task.status).toBe('failed');
  expect(taskLog(task)).toContain(
    'user:development/guest is not a member of group:default/payments-team, so it cannot be the owner. Choose one of your teams (group:default/storefront-team, group:default/contoso)',
  );
  expect((await cloneRepo(GITOPS)).log[0].oid).toBe(before);
  expect(await (await fetch(`${BASE_URL}/api/git-host/repos`)).text()).toBe(reposBefore);
  // Nor can anyone push to the embedded Git host without a token.
  const anonymous = await fetch(`${BASE_URL}/api/git-host/gitops.git/info/refs?service=git-receive-pack`);
  expect(anonymous.status).toBe(401);
});

test('names a cluster or ArgoCD would refuse are refused at the check step, with the rule, and nothing is committed', async () => {
  const before = (await cloneRepo(GITOPS)).log[0].oid;
  const reposBefore = await (await fetch(`${BASE_URL}/api/git-host/repos`)).text();
  const refused: [string, string][] = [
    ['team/orders', 'Service name "team/orders" contains "/"'],
    ['kube-system', 'Service name "kube-system" is reserved: Kubernetes keeps the kube- prefix for its system namespaces'],
    ['default', 'Service name "default" is reserved'],
    ['argocd', 'Service name "argocd" is reserved'],
    ['1payments', 'Service name "1payments" starts with a digit; it is also the name of the Kubernetes Service, a DNS-1035 label'],
  ];
  for (const [name, rule] of refused) {
    const task = await runTemplate('nodejs-service', {
      name,
      owner: 'group:default/storefront-team',
      environments: ['dev'],
    });
    expect(task.status).toBe('failed');
    expect(taskLog(task)).toContain(rule);
  }
  expect((await cloneRepo(GITOPS)).log[0].oid).toBe(before);
  expect(await (await fetch(`${BASE_URL}/api/git-host/repos`)).text()).toBe(reposBefore);
});

test('resource path postgres-database attaches a database and registers a Resource the component depends on', async () => {
  const task = await runTemplate('postgres-database', {
    component: 'component:default/e2e-shop-web',
    name: 'e2e-shop-db',
    size: 'medium',
  });
  expect(task.status, taskLog(task)).toBe('completed');
  const gitops = await cloneRepo(GITOPS);
  const xr = parse(await gitops.read('apps/e2e-shop-web/overlays/prod/resources/database-e2e-shop-db.yaml'));
  expect(xr).toMatchObject({ kind: 'Database', spec: { size: 'medium' } });
  const resource = await waitFor('resource entity', () => entity('resource:default/e2e-shop-db'), 30_000);
  expect(resource.spec.dependencyOf).toEqual(['component:default/e2e-shop-web']);
  const component = await waitFor(
    'the dependsOn relation',
    async () => {
      const c = await entity('component:default/e2e-shop-web');
      return c?.relations?.some((r: any) => r.type === 'dependsOn' && r.targetRef === 'resource:default/e2e-shop-db')
        ? c
        : undefined;
    },
    60_000,
  );
  expect(component.metadata.name).toBe('e2e-shop-web');
});

test('a service is promoted from dev to staging and rolled back through the Day-2 templates, as commits by the user', async () => {
  const service = 'e2e-orders-api';
  const component = `component:default/${service}`;
  const overlay = (env: string) => `apps/${service}/overlays/${env}/kustomization.yaml`;
  const tagIn = async (env: string) => parse(await (await cloneRepo(GITOPS)).read(overlay(env))).images[0].newTag;
  // CI has built 2.0.0 and deployed it to dev, in a commit of its own.
  const dev = parse(await (await cloneRepo(GITOPS)).read(overlay('dev')));
  dev.images[0].newTag = '2.0.0';
  commitOutsideThePortal({ [overlay('dev')]: stringify(dev) }, `CI: ${service} 2.0.0 to dev`);

  // No cluster answers in this file, so the health plugin cannot say dev is Synced and Healthy.
  const refused = await runTemplate('promote-service', { component, from: 'dev', followMinutes: 0 });
  expect(refused.status).toBe('failed');
  expect(taskLog(refused)).toMatch(/dev is not ready to promote: .*give a justification to promote anyway; nothing was committed/);
  expect(await tagIn('staging')).toBe('latest');

  const promoted = await runTemplate('promote-service', {
    component,
    from: 'dev',
    // No cluster answers in this file, so there is no rollout to watch.
    followMinutes: 0,
    justification: 'The e2e clusters are fakes that do not run in this file.',
  });
  expect(promoted.status, taskLog(promoted)).toBe('completed');
  expect(await tagIn('staging')).toBe('2.0.0');
  const [promotion] = (await cloneRepo(GITOPS)).log;
  expect(promotion.commit.author.name).toBe('Guest');
  expect(promotion.commit.message).toMatch(new RegExp(`^Promote ${service} 2\\.0\\.0 from dev to staging\\n`));
  expect(promotion.commit.message).toContain('Promoted-From: dev');
  expect(promotion.commit.message).toContain(`Image: contoso.azurecr.io/${service}:2.0.0`);
  expect(promotion.commit.message).toContain('Template: template:default/promote-service');

  const rolledBack = await runTemplate('rollback-service', { component, environment: 'staging', followMinutes: 0 });
  expect(rolledBack.status, taskLog(rolledBack)).toBe('completed');
  expect(await tagIn('staging')).toBe('latest');
  const [rollback] = (await cloneRepo(GITOPS)).log;
  expect(rollback.commit.parent).toEqual([promotion.oid]);
  expect(rollback.commit.message).toContain(`Rolled-Back-From: contoso.azurecr.io/${service}:2.0.0`);
});

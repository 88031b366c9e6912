import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { testAccessSettings, testOrg } from '@internal/test-fakes/access';
import { cloneRepo, commitFiles, headOf, startGitServer } from '@internal/test-fakes/git';
import path from 'path';
import { parse, stringify } from 'yaml';
import { accessChecks } from '../access/accessChecks';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createPromoteAction, createRollbackAction } from './deploy';
import { registerDeploymentActions } from './registry';
import { createServicePublishAction } from './service';

jest.setTimeout(60_000);

const ordersApi = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', annotations: { 'backstage.io/kubernetes-id': 'orders-api' } },
  spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
};
const OLU = 'user:default/olu.member';

/** Promote, roll back and the deployments view through the actions registry, as the CLI and MCP call them. */
export async function deploymentActionsFixture() {
  const git = await startGitServer(gitHostPlugin);
  const config = new ConfigReader({ gitops: { repoUrl: git.gitopsUrl } });
  const catalog = catalogServiceMock({ entities: [...testOrg, ordersApi] });
  const deps = {
    config,
    integrations: ScmIntegrations.fromConfig(config),
    validator: ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas')),
    ...accessChecks({ catalog, auth: mockServices.auth(), settings: testAccessSettings() }),
    auth: mockServices.auth(),
    sourceHealth: async () => ({ ready: true, reason: 'dev runs it, Synced and Healthy' }),
  };
  await createServicePublishAction(deps).handler(
    createMockActionContext({
      input: { name: 'orders-api', owner: 'group:default/payments-team' } as any,
      user: { ref: 'user:default/priya.raman' },
    }),
  );
  const repo = await cloneRepo(git.gitopsUrl);
  const k = parse(await repo.read('apps/orders-api/overlays/dev/kustomization.yaml'));
  await repo.cleanup();
  k.images[0].newTag = '1.1.0';
  await commitFiles(git.gitopsUrl, { 'apps/orders-api/overlays/dev/kustomization.yaml': stringify(k) }, 'CI');
  const register = (registry: Parameters<typeof registerDeploymentActions>[0]) =>
    registerDeploymentActions(registry, {
      catalog,
      auth: mockServices.auth(),
      promote: createPromoteAction(deps),
      rollback: createRollbackAction(deps),
      deployments: {
        ...deps,
        discovery: { getBaseUrl: async () => 'http://127.0.0.1:1/api/health', getExternalBaseUrl: async () => '' },
      },
    });
  return { git, register };
}

describe('the deployment actions of the actions registry', () => {
  let fixture: Awaited<ReturnType<typeof deploymentActionsFixture>>;
  const registry = actionsRegistryServiceMock();

  beforeAll(async () => {
    fixture = await deploymentActionsFixture();
    fixture.register(registry);
  });
  afterAll(() => fixture?.git.stop());

  it('lists promote, rollback and deployments, with their input schemas', async () => {
    const { actions } = await registry.list();
    expect(actions.map(a => a.id).sort()).toEqual(['test:deployments', 'test:promote', 'test:rollback']);
    const promote = actions.find(a => a.name === 'promote')!;
    expect(promote.schema.input).toMatchObject({ required: expect.arrayContaining(['component', 'from']) });
    expect(actions.find(a => a.name === 'deployments')!.attributes.readOnly).toBe(true);
  });

  it('promotes as the calling user, with the same commit a task would make', async () => {
    const { output } = await registry.invoke({
      id: 'test:promote',
      input: { component: 'component:default/orders-api', from: 'dev' },
      credentials: mockCredentials.user(OLU),
    });
    expect(output).toMatchObject({ changed: true, image: 'contoso.azurecr.io/orders-api:1.1.0' });
    const repo = await cloneRepo(fixture.git.gitopsUrl);
    await repo.cleanup();
    expect(repo.log[0].commit.author.name).toBe('olu.member');
    expect(repo.log[0].commit.message).toContain('Template: action:scaffolder/promote');
    expect(repo.log[0].commit.message).toContain(`Requested-by: ${OLU}`);
  });

  it('refuses a user of another team, and any caller that is not a user, with nothing committed', async () => {
    const head = await headOf(fixture.git.gitopsUrl);
    await expect(
      registry.invoke({
        id: 'test:rollback',
        input: { component: 'orders-api', environment: 'staging' },
        credentials: mockCredentials.user('user:default/ana.storefront'),
      }),
    ).rejects.toThrow(/is not a member of group:default\/payments-team/);
    await expect(
      registry.invoke({
        id: 'test:rollback',
        input: { component: 'orders-api', environment: 'staging' },
        credentials: mockCredentials.service('external:ci-token'),
      }),
    ).rejects.toThrow(/run only as a signed-in user/);
    expect(await headOf(fixture.git.gitopsUrl)).toBe(head);
  });

  it('tells where the service runs, from Git even when no cluster answers', async () => {
    const { output } = (await registry.invoke({
      id: 'test:deployments',
      input: { component: 'orders-api' },
      credentials: mockCredentials.user(OLU),
    })) as { output: any };
    expect(output.clusterError).toMatch(/the health service could not be asked/);
    expect(output.environments.map((e: any) => [e.environment, e.image])).toEqual([
      ['dev', 'contoso.azurecr.io/orders-api:1.1.0'],
      ['staging', 'contoso.azurecr.io/orders-api:1.1.0'],
      ['prod', 'contoso.azurecr.io/orders-api:latest'],
    ]);
  });
});

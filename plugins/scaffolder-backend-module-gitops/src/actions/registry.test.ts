import { mockCredentials } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { cloneRepo, headOf } from '@internal/test-fakes/git';
import { deploymentActionsFixture } from './__testUtils__/deploymentActions';

jest.setTimeout(60_000);

const OLU = 'user:default/olu.member';

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
    expect(actions.map(a => a.id).sort()).toEqual([
      'test:deployments',
      'test:health',
      'test:preview-create',
      'test:preview-delete',
      'test:preview-extend',
      'test:promote',
      'test:rollback',
    ]);
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

  it('creates and deletes a preview as the calling user', async () => {
    const { output } = (await registry.invoke({
      id: 'test:preview-create',
      input: { component: 'orders-api', preview: 'pr-7', imageTag: 'pr-7-1a2b3c4' },
      credentials: mockCredentials.user(OLU),
    })) as { output: any };
    expect(output).toMatchObject({ changed: true, namespace: 'orders-api--pr-7' });
    const removed = (await registry.invoke({
      id: 'test:preview-delete',
      input: { component: 'orders-api', preview: 'pr-7' },
      credentials: mockCredentials.user(OLU),
    })) as { output: any };
    expect(removed.output.changed).toBe(true);
  });

  it('says why the health cannot be read when the health service does not answer', async () => {
    await expect(
      registry.invoke({ id: 'test:health', input: { component: 'orders-api' }, credentials: mockCredentials.user(OLU) }),
    ).rejects.toThrow(/The health of component:default\/orders-api could not be read: the health service could not be asked/);
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

import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { actionsRegistryServiceFactory, actionsServiceFactory } from '@backstage/backend-defaults/alpha';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { cloneRepo, headOf } from '@internal/test-fakes/git';
import { deploymentActionsFixture } from './__testUtils__/deploymentActions';

jest.setTimeout(60_000);

// An MCP client (the official SDK) against plugin-mcp-actions-backend, which finds the
// scaffolder's actions through Backstage's real actions service, over HTTP.
describe('promote through MCP', () => {
  let fixture: Awaited<ReturnType<typeof deploymentActionsFixture>>;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    fixture = await deploymentActionsFixture();
    backend = await startTestBackend({
      features: [
        mcpActionsPlugin,
        actionsRegistryServiceFactory,
        actionsServiceFactory,
        mockServices.rootConfig.factory({
          data: { backend: { actions: { pluginSources: ['scaffolder'] } } },
        }),
        // The gitops module's registration, under the scaffolder's plugin id.
        createBackendPlugin({
          pluginId: 'scaffolder',
          register(env) {
            env.registerInit({
              deps: { registry: actionsRegistryServiceRef },
              async init({ registry }) {
                fixture.register(registry);
              },
            });
          },
        }),
      ],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await fixture?.git.stop();
  });

  async function connect(user: string) {
    const client = new Client({ name: 'idp-portal-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(
        new URL(`http://127.0.0.1:${backend.server.port()}/api/mcp-actions/v1`),
        { requestInit: { headers: { Authorization: mockCredentials.user.header(user) } } },
      ),
    );
    return client;
  }

  it('lists the tools and promotes as the user whose token it sends; another team is refused', async () => {
    const olu = await connect('user:default/olu.member');
    const { tools } = await olu.listTools();
    expect(tools.map(t => t.name)).toEqual(expect.arrayContaining(['scaffolder.promote', 'scaffolder.rollback', 'scaffolder.deployments']));

    const result: any = await olu.callTool({ name: 'scaffolder.promote', arguments: { component: 'orders-api', from: 'dev' } });
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.content)).toContain('contoso.azurecr.io/orders-api:1.1.0');
    const repo = await cloneRepo(fixture.git.gitopsUrl);
    await repo.cleanup();
    expect(repo.log[0].commit.author.name).toBe('olu.member');
    expect(repo.log[0].commit.message).toContain('Promoted-From: dev');
    await olu.close();

    const head = await headOf(fixture.git.gitopsUrl);
    const ana = await connect('user:default/ana.storefront');
    const refused: any = await ana.callTool({ name: 'scaffolder.rollback', arguments: { component: 'orders-api', environment: 'staging' } });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toMatch(/is not a member of group:default\/payments-team/);
    expect(await headOf(fixture.git.gitopsUrl)).toBe(head);
    await ana.close();
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { cloneRepo, headOf, startGitServer } from '@internal/test-fakes/git';
import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { testOrg, testOrgAccess } from '@internal/test-fakes/access';
import { accessChecks } from '../access/accessChecks';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createResourcePublishAction } from './resource';
import { createServicePublishAction } from './service';

// Real Git pushes over HTTP: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(30_000);

const validator = ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas'));
const outputs = (ctx: any) => Object.fromEntries((ctx.output as jest.Mock).mock.calls);
/** A catalog Component as the service golden paths register it. */
const component = (name: string, owner: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations: { 'backstage.io/kubernetes-id': name } },
  spec: { type: 'service', lifecycle: 'production', owner },
});

/** The catalog the tests read: the test organisation, its services and another team's resource. */
const catalogEntities = [
  ...testOrg,
  component('ledger-api', 'group:default/payments-team'),
  // Registered in the catalog, but never committed to the GitOps repository.
  component('ghost-api', 'group:default/payments-team'),
  component('storefront-web', 'group:default/storefront-team'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'carts-db',
      annotations: { 'backstage.io/kubernetes-id': 'storefront-web', 'idp-portal/crossplane-kind': 'Database' },
    },
    spec: { type: 'database', owner: 'group:default/storefront-team', dependencyOf: ['component:default/storefront-web'] },
  },
];

const context = (input: object, id = 'task-r') =>
  createMockActionContext({
    input: input as any,
    user: { ref: 'user:default/diego.alvarez' },
    task: { id },
    templateInfo: { entityRef: 'template:default/postgres-database' } as any,
  });

describe('gitops:resource:publish against a real Git host', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  let attach: ReturnType<typeof createResourcePublishAction>;
  let catalog: ReturnType<typeof catalogServiceMock>;
  /** The action over a catalog holding `entities`. */
  let attachWith: (
    entities: NonNullable<Parameters<typeof catalogServiceMock>[0]>['entities'],
  ) => ReturnType<typeof createResourcePublishAction>;
  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
    const config = new ConfigReader({ gitops: { repoUrl: server.gitopsUrl } });
    const depsWith = (c: ReturnType<typeof catalogServiceMock>) => ({
      config,
      integrations: ScmIntegrations.fromConfig(config),
      validator,
      ...accessChecks({ ...testOrgAccess(), catalog: c }),
      auth: mockServices.auth(),
    });
    catalog = catalogServiceMock({ entities: catalogEntities });
    const deps = depsWith(catalog);
    attach = createResourcePublishAction(deps);
    attachWith = entities => createResourcePublishAction(depsWith(catalogServiceMock({ entities })));
    await createServicePublishAction(deps).handler(
      context({ name: 'ledger-api', owner: 'group:default/payments-team', environments: ['dev', 'prod'] }, 'seed'),
    );
  });
  afterAll(() => server.stop());

  const input = {
    component: 'ledger-api',
    owner: 'payments-team',
    resource: { kind: 'Database', name: 'ledger-db', size: 'medium' },
  };

  it('adds the resource in every environment of the service, wires the workload, and registers it', async () => {
    const ctx = context(input);
    await attach.handler(ctx);
    const out = outputs(ctx);
    expect(out.changed).toBe(true);
    expect(out.catalogInfoUrl).toBe(`${server.baseUrl}/raw/gitops/main/catalog/ledger-api/ledger-db.yaml`);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      expect(repo.log[0].commit.author.name).toBe('diego.alvarez');
      expect(repo.log[0].commit.message).toContain('Add Database ledger-db to ledger-api');
      for (const env of ['dev', 'prod']) {
        const xr = parse(await repo.read(`apps/ledger-api/overlays/${env}/resources/database-ledger-db.yaml`));
        expect(xr.spec).toEqual({ size: 'medium', connectionSecretName: 'ledger-db-connection' });
        const k = parse(await repo.read(`apps/ledger-api/overlays/${env}/kustomization.yaml`));
        expect(k.resources).toContain('resources/database-ledger-db.yaml');
      }
      expect(repo.exists('apps/ledger-api/overlays/staging')).toBe(false);
      const [dep] = parseAllDocuments(await repo.read('apps/ledger-api/base/deployment.yaml')).map(d => d.toJS());
      expect(dep.spec.template.spec.containers[0].envFrom).toEqual([
        { prefix: 'LEDGER_DB_', secretRef: { name: 'ledger-db-connection' } },
      ]);
      const policies = parseAllDocuments(await repo.read('apps/ledger-api/base/networkpolicy.yaml')).map(d => d.toJS());
      expect(policies[1].spec.egress).toContainEqual({ ports: [{ port: 5432, protocol: 'TCP' }] });
      const entity = parse(await repo.read('catalog/ledger-api/ledger-db.yaml'));
      expect(entity).toMatchObject({
        kind: 'Resource',
        spec: { type: 'database', owner: 'group:default/payments-team', dependencyOf: ['component:default/ledger-api'] },
      });
    } finally {
      await repo.cleanup();
    }

    const again = context(input, 'task-r2');
    await attach.handler(again);
    expect(outputs(again)).toMatchObject({ changed: false, commitSha: out.commitSha });
  });

  it('is a no-op when re-run after the resource was registered in the catalog', async () => {
    const head = await headOf(server.gitopsUrl);
    // What catalog:register ingests: the entity file the first run committed.
    const repo = await cloneRepo(server.gitopsUrl);
    const registered = parse(await repo.read('catalog/ledger-api/ledger-db.yaml'));
    await repo.cleanup();
    const rerun = context(input, 'task-r3');
    await attachWith([...catalogEntities, registered]).handler(rerun);
    expect(outputs(rerun)).toMatchObject({ changed: false, commitSha: head });
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses a re-run with another size, naming the file it would overwrite, with the GitOps head unchanged', async () => {
    const head = await headOf(server.gitopsUrl);
    const bigger = context({ ...input, resource: { ...input.resource, size: 'small' } }, 'task-r4');
    await expect(attach.handler(bigger)).rejects.toThrow(
      /^apps\/ledger-api\/overlays\/dev\/resources\/database-ledger-db\.yaml, .* already hold other content than this request writes/,
    );
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('reads the catalog with the credentials of the user who started the task', async () => {
    const spy = jest.spyOn(catalog, 'getEntityByRef');
    try {
      await attach.handler(context(input, 'task-r4'));
      const asUser = spy.mock.calls.filter(([, options]) => (options as any)?.credentials?.principal?.type === 'user');
      expect(asUser.map(([ref]) => ref)).toEqual([
        'component:default/ledger-api',
        'group:default/payments-team',
        'resource:default/ledger-db',
      ]);
      expect(asUser[0][1]).toEqual({ credentials: mockCredentials.user() });
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a service that is not in the catalog, before any side effect', async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(attach.handler(context({ ...input, component: 'nowhere-api' }))).rejects.toThrow(
      'The service component:default/nowhere-api is not in the catalog (or you may not see it), so there is nothing to attach the resource to.',
    );
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses an owner that is not a Group in the catalog', async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(
      attach.handler(context({ ...input, owner: 'group:default/ledger-team' })),
    ).rejects.toThrow('The owner group:default/ledger-team is not in the catalog');
    await expect(
      attach.handler(context({ ...input, owner: 'user:default/priya.raman' })),
    ).rejects.toThrow('The owner user:default/priya.raman is a User in the catalog, not a Group');
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it("refuses a resource name another service's resource has in the catalog, before any side effect", async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(
      attach.handler(context({ ...input, resource: { kind: 'Database', name: 'carts-db' } })),
    ).rejects.toThrow(
      'The resource name "carts-db" is taken in the catalog: resource:default/carts-db belongs to component:default/storefront-web, owned by group:default/storefront-team. ' +
        'Resource names are unique in the catalog; choose another name, for example "ledger-api-carts-db". Nothing was changed.',
    );
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it("refuses the name of the service's own resource of another kind", async () => {
    const head = await headOf(server.gitopsUrl);
    const repo = await cloneRepo(server.gitopsUrl);
    const registered = parse(await repo.read('catalog/ledger-api/ledger-db.yaml'));
    await repo.cleanup();
    await expect(
      attachWith([...catalogEntities, registered]).handler(
        context({ ...input, resource: { kind: 'Cache', name: 'ledger-db' } }),
      ),
    ).rejects.toThrow('"ledger-db" is already the Database of component:default/ledger-api in the catalog, so it cannot also be its Cache');
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it.each([
    ['Ledger/Q', 'Queue', 'Resource name "Ledger/Q" has capital letters'],
    ['1ledger', 'Database', 'Resource name "1ledger" starts with a digit; it becomes the prefix of the workload\'s environment variables'],
    ['ledger--cache', 'Cache', 'Azure Cache for Redis "redis-<uid>-ledger--cache"'],
    ['ledger-sb', 'Queue', 'Azure Service Bus namespace "sb-<uid>-ledger-sb"'],
    ['abcdefghijklmnopqrstuv--x', 'Database', 'Azure Database for PostgreSQL flexible server "psql-<uid>-abcdefghijklmnopqrstuv-"'],
    ['windows-docs', 'DocumentDatabase', 'Azure Cosmos DB account "cosmos-<uid>-windows-docs"'],
  ])('refuses the resource name %j for a %s before touching Git', async (name, kind, message) => {
    const head = await headOf(server.gitopsUrl);
    const spy = jest.spyOn(catalog, 'getEntityByRef');
    try {
      await expect(attach.handler(context({ ...input, resource: { kind, name } }))).rejects.toThrow(message);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses a component that is in the catalog but not in the GitOps repository', async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(attach.handler(context({ ...input, component: 'ghost-api' }))).rejects.toThrow(
      '"ghost-api" is not in the GitOps repository',
    );
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses when the owner does not match, leaving the repository untouched', async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(
      attach.handler(context({ ...input, owner: 'group:default/storefront-team', resource: { kind: 'Cache', name: 'ledger-cache' } })),
    ).rejects.toThrow(/owned by group:default\/payments-team/);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses a size the guardrails allow only in prod, naming the rule, with the GitOps head unchanged', async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(
      attach.handler(context({ ...input, resource: { kind: 'Database', name: 'ledger-big-db', size: 'large' } })),
    ).rejects.toThrow(/ledger-big-db asks for size large, which dev does not allow.*crossplane-sizes/);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { cloneRepo, headOf, startGitServer } from '@internal/test-fakes/git';
import { testOrgAccess } from '@internal/test-fakes/access';
import { OwnerGuard } from '../access/OwnerGuard';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createResourcePublishAction } from './resource';
import { createServicePublishAction } from './service';

// Real Git pushes over HTTP: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(30_000);

const validator = ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas'));
const outputs = (ctx: any) => Object.fromEntries((ctx.output as jest.Mock).mock.calls);
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
  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
    const config = new ConfigReader({ gitops: { repoUrl: server.gitopsUrl } });
    const deps = { config, integrations: ScmIntegrations.fromConfig(config), validator, guard: new OwnerGuard(testOrgAccess()), auth: mockServices.auth() };
    attach = createResourcePublishAction(deps);
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

  it('refuses a component that is not in the GitOps repository', async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(attach.handler(context({ ...input, component: 'ghost-api' }))).rejects.toThrow(
      '"ghost-api" is not in the GitOps repository',
    );
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses when the owner does not match, leaving the repository untouched', async () => {
    const head = await headOf(server.gitopsUrl);
    await expect(
      attach.handler(context({ ...input, owner: 'group:default/storefront-team', resource: { kind: 'Cache', name: 'x' } })),
    ).rejects.toThrow(/owned by group:default\/payments-team/);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses a bad resource name before touching Git', async () => {
    await expect(
      attach.handler(context({ ...input, resource: { kind: 'Queue', name: 'Ledger/Q' } })),
    ).rejects.toThrow(/Resource name "Ledger\/Q" must not contain/);
  });
});

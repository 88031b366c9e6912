import { mockServices } from '@backstage/backend-test-utils';
import {
  defaultPlatformConfig,
  renderService,
  serializeFile,
  serviceRequestSchema,
} from '@internal/plugin-gitops-common';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { commitFiles, headOf, startGitServer } from '@internal/test-fakes/git';
import { parse, stringify } from 'yaml';
import { GitOpsScanner } from './GitOpsScanner';

const platform = defaultPlatformConfig({ gitopsRepoUrl: 'https://github.com/contoso/gitops.git' });

/** What the golden path commits for a service, as file contents. */
function goldenPathFiles(name: string, extra: Record<string, unknown> = {}) {
  const req = serviceRequestSchema.parse({
    name,
    owner: 'group:default/payments-team',
    type: 'http',
    port: 8080,
    size: 'small',
    imageTag: '1.0.0',
    ...extra,
  });
  return Object.fromEntries(
    renderService(req, platform).map(f => [f.path, serializeFile(f)]),
  );
}

describe('GitOpsScanner', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  let scanner: GitOpsScanner;

  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
    scanner = new GitOpsScanner({
      repoUrl: server.gitopsUrl,
      branch: 'main',
      argocdNamespace: 'argocd',
      auth: async () => undefined,
      logger: mockServices.logger.mock(),
    });
  }, 60_000);
  afterAll(() => server?.stop());

  it('finds nothing in a repository without services, and says which commit it read', async () => {
    const { scan, evaluations } = await scanner.scan();
    expect(evaluations).toEqual([]);
    expect(scan).toMatchObject({
      commit: await headOf(server.gitopsUrl),
      services: 0,
      branch: 'main',
    });
    expect(scan.error).toBeUndefined();
  });

  it("passes every rule for a golden path's service in every environment", async () => {
    await commitFiles(server.gitopsUrl, goldenPathFiles('shop'), 'Add shop');
    const { evaluations, scan } = await scanner.scan();
    expect(scan.services).toBe(1);
    expect(evaluations.map(e => `${e.service}/${e.environment}`)).toEqual([
      'shop/dev',
      'shop/prod',
      'shop/staging',
    ]);
    for (const e of evaluations) {
      expect(e.results.filter(r => r.status === 'failed')).toEqual([]);
      expect(e.results.filter(r => r.status === 'passed').length).toBeGreaterThan(10);
    }
    // The Application is judged with its overlay.
    expect(
      evaluations[0].results.some(
        r => r.policy === 'guardrails-application-team-project' && r.status === 'passed',
      ),
    ).toBe(true);
  });

  it('reports a rule broken by a commit made outside the portal, in the environment it breaks', async () => {
    const file = 'apps/shop/overlays/prod/kustomization.yaml';
    const before = await scanner.scan();
    const kustomization = parse(goldenPathFiles('shop')[file]);
    // Someone edits the prod overlay by hand to run whatever was built last.
    kustomization.images[0].newTag = 'latest';
    const head = await commitFiles(
      server.gitopsUrl,
      { [file]: stringify(kustomization) },
      'prod: run the latest build',
    );
    const { scan, evaluations } = await scanner.scan();
    expect(scan.commit).toBe(head);
    expect(scan.commit).not.toBe(before.scan.commit);
    const failed = evaluations.flatMap(e =>
      e.results.filter(r => r.status === 'failed').map(r => ({ env: e.environment, ...r })),
    );
    expect(failed.map(f => [f.env, f.policy, f.object.kind])).toEqual(
      expect.arrayContaining([['prod', 'guardrails-image-tag-not-latest', 'Deployment']]),
    );
    expect(failed.every(f => f.env === 'prod')).toBe(true);
  });

  it('keeps the last findings and says why when the repository cannot be read', async () => {
    const broken = new GitOpsScanner({
      repoUrl: `${server.baseUrl}/contoso/missing.git`,
      branch: 'main',
      argocdNamespace: 'argocd',
      auth: async () => undefined,
      logger: mockServices.logger.mock(),
    });
    const { scan, evaluations } = await broken.scan();
    expect(evaluations).toEqual([]);
    expect(scan.commit).toBeUndefined();
    expect(scan.error).toMatch(/could not be read .*gitops\.repoUrl/);
  });

  it('reports an overlay kustomize cannot build as not checked, never as passing', async () => {
    await commitFiles(
      server.gitopsUrl,
      { 'apps/shop/overlays/dev/kustomization.yaml': 'resources: [../../missing-base]\n' },
      'dev: point at a base that is not there',
    );
    const { evaluations } = await scanner.scan();
    const dev = evaluations.find(e => e.environment === 'dev')!;
    expect(dev.results).toEqual([
      expect.objectContaining({ status: 'not-checked', rule: 'kustomize-build' }),
    ]);
  });
});

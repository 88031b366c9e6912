import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import http from 'http';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { cloneRepo, headOf, startGitServer } from '@internal/test-fakes/git';
import { testOrgAccess } from '@internal/test-fakes/access';
import { accessChecks } from '../access/accessChecks';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createServiceCheckAction, createServicePublishAction } from './service';
import { examples } from './service.examples';
import yaml from 'yaml';
import { evaluateManifests, kustomizeTree } from '@internal/plugin-guardrails-node';

// Real Git pushes over HTTP: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(30_000);

const validator = ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas'));

const priya = {
  ref: 'user:default/priya.raman',
  entity: {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'priya.raman' },
    spec: { profile: { displayName: 'Priya Raman', email: 'priya.raman@contoso.example' } },
  } as any,
};

function actions(gitopsUrl: string, extra: object = {}) {
  const config = new ConfigReader({ gitops: { repoUrl: gitopsUrl, ...extra } });
  const deps = { config, integrations: ScmIntegrations.fromConfig(config), validator, ...accessChecks(testOrgAccess()), auth: mockServices.auth() };
  return {
    publish: createServicePublishAction(deps),
    check: createServiceCheckAction(deps),
  };
}

function context(input: object, taskId = 'task-1') {
  return createMockActionContext({
    input: input as any,
    user: priya,
    task: { id: taskId },
    templateInfo: { entityRef: 'template:default/nodejs-service' } as any,
  });
}

const outputs = (ctx: any) =>
  Object.fromEntries((ctx.output as jest.Mock).mock.calls);

describe('gitops:service:publish against a real Git host', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
  });
  afterAll(() => server.stop());

  it('commits the service as the user who asked, and does nothing the second time', async () => {
    const { publish } = actions(server.gitopsUrl);
    const input = {
      name: 'payments-api',
      owner: 'group:default/payments-team',
      description: 'a\nkind: ClusterRole',
      resources: [{ kind: 'Database', name: 'payments-db' }],
    };
    const first = context(input);
    await publish.handler(first);
    const out = outputs(first);
    expect(out.changed).toBe(true);
    expect(out.applications).toEqual([
      'payments-api-dev',
      'payments-api-staging',
      'payments-api-prod',
    ]);

    const repo = await cloneRepo(server.gitopsUrl);
    try {
      const [commit] = repo.log;
      expect(commit.oid).toBe(out.commitSha);
      expect(commit.commit.author).toMatchObject({
        name: 'Priya Raman',
        email: 'priya.raman@contoso.example',
      });
      expect(commit.commit.message).toContain('Template: template:default/nodejs-service');
      expect(commit.commit.message).toContain('Task: task-1');
      expect(commit.commit.message).toContain('Entity: component:default/payments-api');
      expect(out.commitUrl).toBe(
        `${server.baseUrl}/raw/gitops/${out.commitSha}/argocd/applications/dev/payments-api.yaml`,
      );

      // Every committed document matches its schema, and the description stayed a string.
      const files = out.paths.map((p: string) => ({ path: p, text: '' }));
      for (const f of files) f.text = await repo.read(f.path);
      const problems = validator.validateFiles(
        files
          .filter((f: any) => !f.path.includes('/resources/'))
          .map((f: any) => ({
            path: f.path,
            documents: parseAllDocuments(f.text).map(d => d.toJS()),
          })),
      );
      expect(problems).toEqual([]);
      const kustomization = yaml.parse(await repo.read('apps/payments-api/base/kustomization.yaml'));
      expect(kustomization.commonAnnotations['idp-portal/description']).toBe('a\nkind: ClusterRole');
      expect(repo.exists('apps/payments-api/overlays/prod/resources/database-payments-db.yaml')).toBe(true);
      expect(repo.exists('argocd/projects/payments-team.yaml')).toBe(true);
    } finally {
      await repo.cleanup();
    }

    const second = context(input, 'task-2');
    await publish.handler(second);
    expect(outputs(second).changed).toBe(false);
    expect(outputs(second).commitSha).toBe(out.commitSha);
    expect(await headOf(server.gitopsUrl)).toBe(out.commitSha);
  });

  it('refuses a re-run with other values by its owner, naming the files, before any side effect', async () => {
    const { publish, check } = actions(server.gitopsUrl);
    const head = await headOf(server.gitopsUrl);
    const input = { name: 'payments-api', owner: 'group:default/payments-team', port: 9090 };
    const conflict = /^apps\/payments-api\/base\/deployment\.yaml, .* already hold other content than this request writes/;
    await expect(check.handler(context(input))).rejects.toThrow(conflict);
    await expect(publish.handler(context(input))).rejects.toThrow(conflict);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses a name another team already uses, before any side effect', async () => {
    const { publish, check } = actions(server.gitopsUrl);
    const head = await headOf(server.gitopsUrl);
    const input = { name: 'payments-api', owner: 'group:default/storefront-team' };
    await expect(check.handler(context(input))).rejects.toThrow(
      'A service named "payments-api" already exists in the GitOps repository, owned by group:default/payments-team',
    );
    await expect(publish.handler(context(input))).rejects.toThrow(/already exists/);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it.each([
    ['Payments-API', {}, 'Service name "Payments-API" has capital letters'],
    ['team/payments', {}, '"/" or ".." would change the paths it names in the GitOps repository'],
    ['..', {}, 'Service name ".." contains "."'],
    ['p'.repeat(64), {}, 'has 64 characters; the Kubernetes Namespace and Service'],
    ['-payments', {}, 'Service name "-payments" starts with "-"'],
    ['1payments', {}, 'it is also the name of the Kubernetes Service, a DNS-1035 label, which must start with a letter'],
    // 56 + "-staging" is 64; the Application names stay within 63.
    ['p'.repeat(56), {}, `makes the ArgoCD Application "${'p'.repeat(56)}-staging" (64 characters) in staging`],
    ['default', {}, 'Service name "default" is reserved'],
    ['kube-system', {}, 'Service name "kube-system" is reserved: Kubernetes keeps the kube- prefix'],
    ['argocd', {}, 'Service name "argocd" is reserved: ArgoCD runs in argocd'],
    ['crossplane-system', {}, 'Service name "crossplane-system" is reserved'],
    ['gatekeeper-system', {}, 'Service name "gatekeeper-system" is reserved'],
    ['gitops-root', {}, 'gitops-root-<environment>'],
    ['legacy-billing', { reservedNames: ['legacy-billing'] }, '(gitops.reservedNames)'],
    ['platform-gitops', { argocdNamespace: 'platform-gitops' }, 'ArgoCD runs in platform-gitops'],
  ])('refuses the name %j in check and publish with a clear message, and leaves the repository untouched', async (name, extra, message) => {
    const { publish, check } = actions(server.gitopsUrl, extra);
    const head = await headOf(server.gitopsUrl);
    const input = { name, owner: 'group:default/payments-team' };
    await expect(check.handler(context(input))).rejects.toThrow(message);
    await expect(publish.handler(context(input))).rejects.toThrow(message);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('bounds the service name by the configured environments, not the default ones', async () => {
    const { check } = actions(server.gitopsUrl, {
      environments: [
        { name: 'dev', cluster: 'aks-dev' },
        { name: 'production', cluster: 'aks-prod' },
      ],
    });
    await expect(
      check.handler(context({ name: 'p'.repeat(53), owner: 'group:default/payments-team' })),
    ).rejects.toThrow('with the environments dev and production a service name has at most 52');
  });

  it.each([
    [{ owner: 'group:default/Payments_Team' }, 'Team name "Payments_Team" has capital letters; the team\'s ArgoCD AppProject takes lowercase letters only'],
    [{ owner: 'group:default/default' }, 'Team name "default" is reserved: "default" is ArgoCD\'s built-in AppProject'],
    [{ resources: [{ kind: 'Cache', name: 'sessions--cache' }] }, 'Azure Cache for Redis "redis-<uid>-sessions--cache"'],
    [{ resources: [{ kind: 'Queue', name: 'orders-sb' }] }, 'must not end with "-sb" or "-mgmt"'],
    [{ resources: [{ kind: 'Database', name: '9db' }] }, 'Resource name "9db" starts with a digit'],
    [{ resources: [{ kind: 'Database', name: 'ledger' }, { kind: 'Cache', name: 'ledger' }] }, 'Resource name "ledger" is given twice'],
  ])('refuses %j before any side effect', async (overrides, message) => {
    const { publish, check } = actions(server.gitopsUrl);
    const head = await headOf(server.gitopsUrl);
    const input = { name: 'names-api', owner: 'group:default/payments-team', ...overrides };
    await expect(check.handler(context(input))).rejects.toThrow(message);
    await expect(publish.handler(context(input))).rejects.toThrow(message);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('says every broken rule at once, and what to do', async () => {
    const { check } = actions(server.gitopsUrl);
    await expect(
      check.handler(context({ name: 'kube-Payments', owner: 'group:default/payments-team' })),
    ).rejects.toThrow(
      'Invalid golden-path input: Service name "kube-Payments" has capital letters; the Kubernetes Namespace, Service, Deployment and ServiceAccount take lowercase letters only. For example "payments-api". ' +
        'Service name "kube-Payments" is reserved: Kubernetes keeps the kube- prefix',
    );
  });

  it('check reports an identical existing service as existing, and changes nothing', async () => {
    const { check } = actions(server.gitopsUrl);
    const head = await headOf(server.gitopsUrl);
    const ctx = context({
      name: 'payments-api',
      owner: 'group:default/payments-team',
      description: 'a\nkind: ClusterRole',
      resources: [{ kind: 'Database', name: 'payments-db' }],
    });
    await check.handler(ctx);
    expect(outputs(ctx).exists).toBe(true);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('lands both of two publishes racing for the repository', async () => {
    const { publish } = actions(server.gitopsUrl);
    const names = ['race-one', 'race-two', 'race-three'];
    const results = await Promise.allSettled(
      names.map((name, i) =>
        publish.handler(context({ name, owner: 'group:default/platform-team', environments: ['dev'] }, `race-${i}`)),
      ),
    );
    expect(results.map(r => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      for (const name of names) {
        expect(repo.exists(`argocd/applications/dev/${name}.yaml`)).toBe(true);
      }
      expect(repo.exists('argocd/applications/dev/payments-api.yaml')).toBe(true);
    } finally {
      await repo.cleanup();
    }
  });

  it('runs its examples', async () => {
    // A repository of their own: the tests above made a payments-api with other values.
    const fresh = await startGitServer(gitHostPlugin);
    try {
      const { publish } = actions(fresh.gitopsUrl);
      for (const example of examples) {
        const step = yaml.parse(example.example).steps[0];
        const ctx = context(step.input, `example-${step.input.name}`);
        await publish.handler(ctx);
        expect(outputs(ctx).commitSha).toMatch(/^[0-9a-f]{40}$/);
      }
    } finally {
      await fresh.stop();
    }
  });
});

describe('gitops:service:publish when the Git host misbehaves', () => {
  const input = { name: 'payments-api', owner: 'group:default/payments-team' };

  it('says so when the host is down', async () => {
    const { publish } = actions('http://127.0.0.1:9/gitops.git');
    await expect(publish.handler(context(input))).rejects.toThrow(
      /Could not reach the Git host .*ECONNREFUSED.*nothing was pushed/,
    );
  });

  it('says so when the host refuses the credentials', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(403).end('forbidden');
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as any).port;
    try {
      const { publish } = actions(`http://127.0.0.1:${port}/gitops.git`);
      await expect(publish.handler(context(input))).rejects.toThrow(
        /refused access .*HTTP 403.*integrations/,
      );
    } finally {
      server.close();
    }
  });

  it('says what to do when no GitOps repository is configured', async () => {
    const config = new ConfigReader({});
    const publish = createServicePublishAction({
      config,
      integrations: ScmIntegrations.fromConfig(config),
      validator,
      ...accessChecks(testOrgAccess()), auth: mockServices.auth(),
    });
    await expect(publish.handler(context(input))).rejects.toThrow(/Set gitops.repoUrl/);
  });
});

describe('the guardrails of platform/policies, before any commit', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
  });
  afterAll(() => server.stop());

  it('refuses a large database outside prod, naming the rule, with the GitOps head unchanged', async () => {
    const { check, publish } = actions(server.gitopsUrl);
    const input = {
      name: 'ledger-api',
      owner: 'group:default/payments-team',
      resources: [{ kind: 'Database', name: 'ledger-db', size: 'large' }],
    };
    const head = await headOf(server.gitopsUrl);
    for (const action of [check, publish]) {
      await expect(action.handler(context(input))).rejects.toThrow(/crossplane-sizes/);
    }
    expect(await headOf(server.gitopsUrl)).toBe(head);
    // The same request with a size dev allows goes through.
    const small = context({ ...input, resources: [{ kind: 'Database', name: 'ledger-db', size: 'small' }] });
    await publish.handler(small);
    expect(outputs(small).changed).toBe(true);
  });

  it('commits an exemption with its justification: on every object of each overlay and in the commit', async () => {
    const { publish } = actions(server.gitopsUrl);
    const justification = 'Load tests need the large tier in dev until the 2027 Q1 review.';
    const ctx = context({
      name: 'ledger-batch',
      owner: 'group:default/payments-team',
      environments: ['dev'],
      resources: [{ kind: 'Database', name: 'ledger-batch-db', size: 'large' }],
      exemptions: [{ policy: 'guardrails-crossplane-sizes', justification }],
    });
    await publish.handler(ctx);
    const repo = await cloneRepo(server.gitopsUrl);
    try {
      expect(repo.log[0].commit.message).toContain(
        `Guardrail-Exemption: guardrails-crossplane-sizes: ${justification}`,
      );
      const overlay = yaml.parse(await repo.read('apps/ledger-batch/overlays/dev/kustomization.yaml'));
      expect(overlay.commonAnnotations).toEqual({
        'exempt.guardrails.idp-portal.io/guardrails-crossplane-sizes': justification,
      });
      // What Argo CD would build from the commit: the database is exempted, not failed.
      const files = await kustomizeTree(
        ['apps/ledger-batch/overlays/dev/kustomization.yaml'],
        async p => (repo.exists(p) ? repo.read(p) : undefined),
        new Map(),
      );
      const sizes = evaluateManifests(files, 'argocd').filter(r => r.policy === 'guardrails-crossplane-sizes');
      expect(sizes.map(r => [r.object.name, r.status, r.message])).toEqual([
        ['ledger-batch-db', 'exempted', justification],
      ]);
    } finally {
      await repo.cleanup();
    }
  });

  it('refuses an exemption without a justification, or from a rule that allows none, with the GitOps head unchanged', async () => {
    const { check, publish } = actions(server.gitopsUrl);
    const input = (exemption: object) => ({
      name: 'ledger-cron',
      owner: 'group:default/payments-team',
      exemptions: [exemption],
    });
    const head = await headOf(server.gitopsUrl);
    for (const action of [check, publish]) {
      await expect(
        action.handler(context(input({ policy: 'guardrails-probes', justification: ' ' }))),
      ).rejects.toThrow(
        /exemption from guardrails-probes needs a written justification of at least 20 characters/,
      );
      await expect(action.handler(context(input({ policy: 'guardrails-probes' })))).rejects.toThrow(
        /needs a written justification/,
      );
      await expect(
        action.handler(
          context(input({ policy: 'guardrails-required-labels', justification: 'The catalog does not need to find this one.' })),
        ),
      ).rejects.toThrow(/guardrails-required-labels allows no exemption, so nothing was committed/);
      await expect(
        action.handler(
          context(input({ policy: 'guardrails-no-such-rule', justification: 'The catalog does not need to find this one.' })),
        ),
      ).rejects.toThrow(/There is no guardrail named guardrails-no-such-rule/);
    }
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });
});

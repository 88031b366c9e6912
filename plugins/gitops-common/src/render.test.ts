import { parseAllDocuments } from 'yaml';
import {
  defaultPlatformConfig,
  describeZodError,
  renderService,
  serializeFile,
  serviceRequestSchema,
} from '.';

const platform = defaultPlatformConfig({
  gitopsRepoUrl: 'http://localhost:7007/api/git-host/gitops.git',
});

function request(overrides: object = {}) {
  return serviceRequestSchema.parse({
    name: 'payments-api',
    owner: 'group:default/payments-team',
    ...overrides,
  });
}

function byPath(files: ReturnType<typeof renderService>) {
  return new Map(files.map(f => [f.path, f]));
}

describe('serviceRequestSchema', () => {
  it.each([
    ['Payments', 'has capital letters'],
    ['team/payments', '"/" or ".." would change the paths'],
    ['..', '"/" or ".." would change the paths'],
    ['a'.repeat(64), 'has 64 characters'],
    ['-payments', 'start and end with a letter or digit'],
    ['pay_ments', 'contains "_"'],
    ['1payments', 'a DNS-1035 label, which must start with a letter'],
    ['kube-system', 'is reserved'],
  ])('refuses the name %j', (name, message) => {
    const result = serviceRequestSchema.safeParse({
      name,
      owner: 'group:default/payments-team',
    });
    expect(result.success).toBe(false);
    expect(describeZodError((result as any).error)).toContain(message);
  });

  it('accepts a 63-character name', () => {
    expect(request({ name: 'a'.repeat(63) }).name).toHaveLength(63);
  });

  it('refuses a user as owner, because teams own ArgoCD projects', () => {
    const result = serviceRequestSchema.safeParse({
      name: 'payments-api',
      owner: 'user:default/priya.raman',
    });
    expect(describeZodError((result as any).error)).toMatch(/must be a team/);
  });
});

describe('renderService', () => {
  it('writes base, one overlay and one Application per environment, and the team project', () => {
    const paths = renderService(request(), platform).map(f => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'apps/payments-api/base/kustomization.yaml',
        'apps/payments-api/base/deployment.yaml',
        'apps/payments-api/base/networkpolicy.yaml',
        'apps/payments-api/overlays/dev/kustomization.yaml',
        'apps/payments-api/overlays/staging/namespace.yaml',
        'apps/payments-api/overlays/prod/kustomization.yaml',
        'argocd/applications/dev/payments-api.yaml',
        'argocd/applications/prod/payments-api.yaml',
        'argocd/projects/payments-team.yaml',
      ]),
    );
    expect(paths).not.toContain('apps/payments-api/base/ingress.yaml');
  });

  it('keeps a description with a newline and YAML a plain string', () => {
    const files = byPath(
      renderService(request({ description: 'a\nkind: ClusterRole' }), platform),
    );
    const text = serializeFile(files.get('apps/payments-api/base/kustomization.yaml')!);
    const [doc] = parseAllDocuments(text);
    const parsed = doc.toJS();
    expect(parsed.kind).toBe('Kustomization');
    expect(parsed.commonAnnotations['idp-portal/description']).toBe(
      'a\nkind: ClusterRole',
    );
    expect(text).not.toMatch(/^kind: ClusterRole/m);
  });

  it('syncs dev with prune and self-heal, prod without automatic prune', () => {
    const files = byPath(renderService(request(), platform));
    const dev: any = files.get('argocd/applications/dev/payments-api.yaml')!.documents[0];
    const prod: any = files.get('argocd/applications/prod/payments-api.yaml')!.documents[0];
    expect(dev.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(prod.spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
    expect(prod.spec.project).toBe('payments-team');
    expect(prod.spec.source.path).toBe('apps/payments-api/overlays/prod');
    expect(prod.spec.destination).toEqual({ name: 'aks-prod', namespace: 'payments-api' });
  });

  it('runs the workload non-root, read-only, with limits and probes', () => {
    const files = byPath(renderService(request({ size: 'medium' }), platform));
    const dep: any = files.get('apps/payments-api/base/deployment.yaml')!.documents[0];
    const pod = dep.spec.template.spec;
    const container = pod.containers[0];
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.limits).toEqual({ cpu: '1', memory: '512Mi' });
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.image).toBe('contoso.azurecr.io/payments-api:latest');
    expect(dep.metadata.labels['backstage.io/kubernetes-id']).toBe('payments-api');
    expect(pod.serviceAccountName).toBe('payments-api');
  });

  it('attaches a database: Crossplane resource per environment, secret in env, egress opened', () => {
    const files = byPath(
      renderService(
        request({ resources: [{ kind: 'Database', name: 'payments-db', size: 'medium' }] }),
        platform,
      ),
    );
    const xr: any = files.get(
      'apps/payments-api/overlays/prod/resources/database-payments-db.yaml',
    )!.documents[0];
    expect(xr).toMatchObject({
      apiVersion: 'platform.idp-portal.io/v1alpha1',
      kind: 'Database',
      metadata: { name: 'payments-db', namespace: 'payments-api' },
      spec: { size: 'medium', connectionSecretName: 'payments-db-connection' },
    });
    const kustomization: any = files.get(
      'apps/payments-api/overlays/prod/kustomization.yaml',
    )!.documents[0];
    expect(kustomization.resources).toContain('resources/database-payments-db.yaml');
    const dep: any = files.get('apps/payments-api/base/deployment.yaml')!.documents[0];
    expect(dep.spec.template.spec.containers[0].envFrom).toEqual([
      { prefix: 'PAYMENTS_DB_', secretRef: { name: 'payments-db-connection' } },
    ]);
    const [, allow]: any[] = files.get('apps/payments-api/base/networkpolicy.yaml')!.documents;
    expect(allow.spec.egress).toContainEqual({ ports: [{ port: 5432, protocol: 'TCP' }] });
  });

  it('writes the Crossplane 1.x claim form when configured', () => {
    const files = byPath(
      renderService(
        request({ resources: [{ kind: 'Cache', name: 'sessions' }] }),
        { ...platform, crossplaneApiVersion: 'v1' },
      ),
    );
    const claim: any = files.get(
      'apps/payments-api/overlays/dev/resources/cache-sessions.yaml',
    )!.documents[0];
    expect(claim.spec).toEqual({
      size: 'small',
      writeConnectionSecretToRef: { name: 'sessions-connection' },
    });
  });

  it('refuses an environment the platform does not have', () => {
    expect(() =>
      renderService(request({ environments: ['qa'] }), platform),
    ).toThrow('Unknown environment "qa"; this platform has dev, staging, prod');
  });
});

describe('exemptions', () => {
  it('are written on each overlay, so every object of the environment carries them', () => {
    const files = byPath(
      renderService(
        request({
          exemptions: [
            { policy: 'guardrails-probes', justification: '  The vendor binary has no health endpoint until v4.  ' },
          ],
        }),
        platform,
      ),
    );
    for (const env of ['dev', 'staging', 'prod']) {
      const k = files.get(`apps/payments-api/overlays/${env}/kustomization.yaml`)!.documents[0] as any;
      expect(k.commonAnnotations).toEqual({
        'exempt.guardrails.idp-portal.io/guardrails-probes': 'The vendor binary has no health endpoint until v4.',
      });
    }
    const base = files.get('apps/payments-api/base/kustomization.yaml')!.documents[0] as any;
    expect(Object.keys(base.commonAnnotations)).toEqual(['idp-portal/owner']);
  });

  it('are refused without a written justification', () => {
    const result = serviceRequestSchema.safeParse({
      name: 'payments-api',
      owner: 'group:default/payments-team',
      exemptions: [{ policy: 'guardrails-probes', justification: 'because' }],
    });
    expect(result.success).toBe(false);
    expect(describeZodError((result as any).error)).toMatch(
      /exemption from guardrails-probes needs a written justification of at least 20 characters/,
    );
  });
});

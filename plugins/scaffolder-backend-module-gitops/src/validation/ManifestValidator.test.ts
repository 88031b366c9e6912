import {
  defaultPlatformConfig,
  renderService,
  serviceRequestSchema,
} from '@internal/plugin-gitops-common';
import fs from 'fs';
import path from 'path';
import { ManifestValidator, readYamlDocuments } from './ManifestValidator';

const validator = ManifestValidator.fromDirectory(
  path.resolve(__dirname, '../../schemas'),
);
const platform = defaultPlatformConfig({
  gitopsRepoUrl: 'https://github.com/contoso/gitops.git',
});

describe('ManifestValidator', () => {
  it('rejects a misspelt field and a wrong type', () => {
    const problems = validator.validate({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: {
        replica: 2,
        selector: { matchLabels: { a: 'b' } },
        template: { spec: { containers: [{ name: 'x', image: 1 }] } },
      },
    });
    expect(problems.join('\n')).toMatch(/additional properties \(replica\)/);
    expect(problems.join('\n')).toMatch(/image must be string/);
  });

  it('rejects an ArgoCD Application without a destination', () => {
    expect(
      validator.validate({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'x' },
        spec: { project: 'default', source: { repoURL: 'x' } },
      }),
    ).toContain("/spec must have required property 'destination'");
  });

  it('knows nothing it was not given', () => {
    expect(
      validator.validate({ apiVersion: 'example.com/v1', kind: 'Widget' }),
    ).toEqual(['no schema known for example.com/v1/Widget']);
  });

  it.each([
    ['an HTTP service with ingress and every resource', {
      type: 'http',
      ingressHost: 'payments.contoso.example',
      resources: [
        { kind: 'Database', name: 'payments-db' },
        { kind: 'Cache', name: 'sessions', size: 'large' },
        { kind: 'Queue', name: 'ledger' },
        { kind: 'DocumentDatabase', name: 'receipts' },
      ],
    }],
    ['a gRPC service', { type: 'grpc', port: 50051, ingressHost: 'grpc.contoso.example' }],
    ['a worker', { type: 'worker' }],
    ['a frontend', { type: 'frontend', ingressHost: 'shop.contoso.example' }],
  ])('renders %s that validates against the real schemas', (_, extra) => {
    const req = serviceRequestSchema.parse({
      name: 'payments-api',
      owner: 'group:default/payments-team',
      description: 'a\nkind: ClusterRole',
      ...extra,
    });
    const files = renderService(req, {
      ...platform,
      environments: platform.environments.map(e => ({
        ...e,
        workloadIdentityClientId: '00000000-0000-0000-0000-000000000001',
      })),
    });
    const checked = files.filter(f => !f.path.endsWith('-patch.yaml'));
    expect(checked.length).toBeGreaterThan(10);
    // Crossplane kinds are checked once the platform XRDs are loaded (platform test).
    const nonCrossplane = checked.filter(f => !f.path.includes('/resources/'));
    expect(validator.validateFiles(nonCrossplane)).toEqual([]);
  });

  const xrdDir = path.resolve(__dirname, '../../../../platform/crossplane');
  it(
    'renders Crossplane resources that match the platform XRDs, v2 and v1',
    () => {
      for (const version of ['v2', 'v1'] as const) {
        const v = ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas'));
        const dir = path.join(xrdDir, version, 'xrds');
        for (const f of fs.readdirSync(dir)) {
          for (const xrd of readYamlDocuments(path.join(dir, f))) {
            v.addCompositeResourceDefinition(xrd);
          }
        }
        const req = serviceRequestSchema.parse({
          name: 'payments-api',
          owner: 'group:default/payments-team',
          resources: [
            { kind: 'Database', name: 'payments-db', size: 'medium' },
            { kind: 'Cache', name: 'sessions' },
            { kind: 'Queue', name: 'ledger', size: 'large' },
            { kind: 'DocumentDatabase', name: 'receipts' },
          ],
        });
        const files = renderService(req, { ...platform, crossplaneApiVersion: version })
          .filter(f => f.path.includes('/resources/'));
        expect(files).toHaveLength(12);
        expect(v.validateFiles(files)).toEqual([]);
        // And a wrong size is caught by the XRD's enum.
        const bad = JSON.parse(JSON.stringify(files[0]));
        bad.documents[0].spec.size = 'huge';
        expect(v.validateFiles([bad]).join()).toMatch(/allowed values/);
      }
    },
  );
});

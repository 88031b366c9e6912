import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { ManifestValidator, readYamlDocuments } from './validation/ManifestValidator';

// platform/ is what a platform team applies to bootstrap a cluster; every document in
// it is checked against the real CRDs (Crossplane 2.x, or 1.20 for platform/crossplane/v1).
const platformDir = path.resolve(__dirname, '../../../platform');
const schemas = path.resolve(__dirname, '../schemas');

// Package and provider kinds whose CRDs we do not ship; counted so none slips in unseen.
const NO_SCHEMA_HERE = [
  'pkg.crossplane.io/v1/Provider',
  'pkg.crossplane.io/v1beta1/Function',
  'pkg.crossplane.io/v1beta1/DeploymentRuntimeConfig',
  'azure.upbound.io/v1beta1/ProviderConfig',
  'azure.m.upbound.io/v1beta1/ClusterProviderConfig',
  'kubernetes.m.crossplane.io/v1alpha1/ClusterProviderConfig',
];

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(p);
    return p.endsWith('.yaml') ? [p] : [];
  });
}

describe('platform/', () => {
  const files = yamlFiles(platformDir);
  const v2 = ManifestValidator.fromDirectory(schemas);
  const v1 = ManifestValidator.fromDirectory(schemas);
  for (const f of ['apiextensions.crossplane.io_compositeresourcedefinitions.yaml', 'apiextensions.crossplane.io_compositions.yaml']) {
    for (const crd of readYamlDocuments(path.join(schemas, 'crossplane/v1.20.11', f))) {
      v1.addCustomResourceDefinition(crd);
    }
  }

  it('validates every document against the real schemas', () => {
    const problems: string[] = [];
    const unchecked: Record<string, number> = {};
    let checked = 0;
    for (const file of files) {
      const legacy = file.includes(`${path.sep}crossplane${path.sep}v1${path.sep}`);
      for (const doc of readYamlDocuments(file)) {
        const key = `${doc.apiVersion}/${doc.kind}`;
        if (NO_SCHEMA_HERE.includes(key)) {
          unchecked[key] = (unchecked[key] ?? 0) + 1;
          continue;
        }
        checked++;
        for (const p of (legacy ? v1 : v2).validate(doc)) {
          problems.push(`${path.relative(platformDir, file)} ${doc.kind}/${doc.metadata?.name}: ${p}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(24);
    expect(Object.keys(unchecked).sort()).toEqual([...NO_SCHEMA_HERE].sort());
  });

  it('has a root app-of-apps per environment watching what the portal writes', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const docs = readYamlDocuments(path.join(platformDir, 'argocd/root', `${env}.yaml`));
      const paths = docs.flatMap(d => [d.spec?.source?.path, ...(d.spec?.sources ?? []).map((s: any) => s.path)]).filter(Boolean);
      expect(paths).toEqual(expect.arrayContaining([`argocd/applications/${env}`]));
    }
  });

  it('defines the four Crossplane kinds the portal writes, in both forms', () => {
    for (const [dir, expectKind] of [['v2', (x: any) => x.spec.names.kind], ['v1', (x: any) => x.spec.claimNames.kind]] as const) {
      const kinds = fs
        .readdirSync(path.join(platformDir, 'crossplane', dir, 'xrds'))
        .map(f => expectKind(parse(fs.readFileSync(path.join(platformDir, 'crossplane', dir, 'xrds', f), 'utf8'))))
        .sort();
      expect(kinds).toEqual(['Cache', 'Database', 'DocumentDatabase', 'Queue']);
    }
  });
});

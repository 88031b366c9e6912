import { renderComposition, withDefaults } from '@internal/test-fakes/crossplane';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { ManifestValidator } from './validation/ManifestValidator';

// What Crossplane composes from platform/crossplane/v2 for an XR, rendered with the
// patch-and-transform and cel-filter steps of each Composition's pipeline. The composed
// resources' own provider schemas are not in this repository, so their fields are compared
// with what the provider's CRDs name (upjet provider-family-azure v2, namespaced *.m groups).
const v2 = path.resolve(__dirname, '../../../platform/crossplane/v2');
const read = (file: string) => parse(fs.readFileSync(path.join(v2, file), 'utf8'));
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PORTAL_IDENTITY = '0f6c3a52-9a1e-4c1b-8d7e-2b5f4e6a9c10';

const validator = ManifestValidator.fromDirectory(path.resolve(__dirname, '../schemas'));
for (const file of fs.readdirSync(path.join(v2, 'xrds'))) validator.addCompositeResourceDefinition(read(`xrds/${file}`));

/** An XR of `kind` as a namespace would hold it: checked against its XRD, defaults filled in. */
function xr(kind: string, spec: object) {
  const xrd = read(`xrds/${kind.toLowerCase()}.yaml`);
  const doc = {
    apiVersion: 'platform.idp-portal.io/v1alpha1',
    kind,
    metadata: { name: 'idp-portal-db', namespace: 'idp-portal', uid: '6f1d2c3b-aaaa-bbbb-cccc-123456789abc' },
    spec,
  };
  const problems = validator.validate(doc);
  if (problems.length) throw new Error(problems.join('\n'));
  return { ...doc, spec: withDefaults(xrd.spec.versions[0].schema.openAPIV3Schema.properties.spec, spec) };
}

describe('the v2 Compositions, rendered', () => {
  it.each([
    ['database.yaml', 'Database', { size: 'small', connectionSecretName: 'db' }, 'server', 'authentication'],
    ['cache.yaml', 'Cache', { size: 'medium', connectionSecretName: 'cache' }, 'redis', 'redisConfiguration'],
    ['queue.yaml', 'Queue', { size: 'small', connectionSecretName: 'queue' }, undefined, undefined],
    ['documentdatabase.yaml', 'DocumentDatabase', { size: 'small', connectionSecretName: 'docs' }, undefined, undefined],
  ])('%s composes every resource with a kind and no Entra parts by default', (file, kind, spec, main, entraField) => {
    const resources = renderComposition(read(`compositions/${file}`), xr(kind, spec));
    for (const r of Object.values(resources)) {
      expect(r.apiVersion).toEqual(expect.any(String));
      expect(r.kind).toEqual(expect.any(String));
    }
    expect(Object.keys(resources)).not.toContain('entra-administrator');
    expect(Object.keys(resources)).not.toContain('access-policy');
    // The server's or cache's Entra settings stay Azure's defaults (off).
    const forProvider = main ? resources[main].spec.forProvider : {};
    expect(entraField ? forProvider[entraField] : undefined).toBeUndefined();
  });

  it('makes the named identity the Entra administrator of a Database, password sign-in kept for its administrator login', () => {
    const resources = renderComposition(
      read('compositions/database.yaml'),
      xr('Database', {
        size: 'small',
        connectionSecretName: 'db',
        entraAdministrator: { objectId: PORTAL_IDENTITY, principalName: 'id-idp-portal', tenantId: TENANT },
      }),
    );
    expect(resources.server.spec.forProvider.authentication).toEqual({
      activeDirectoryAuthEnabled: true,
      passwordAuthEnabled: true,
      tenantId: TENANT,
    });
    expect(resources['entra-administrator']).toMatchObject({
      apiVersion: 'dbforpostgresql.azure.m.upbound.io/v1beta1',
      kind: 'FlexibleServerActiveDirectoryAdministrator',
      spec: {
        forProvider: {
          objectId: PORTAL_IDENTITY,
          principalName: 'id-idp-portal',
          // The XRD's default: a managed identity.
          principalType: 'ServicePrincipal',
          tenantId: TENANT,
          serverNameSelector: { matchControllerRef: true },
          resourceGroupNameSelector: { matchControllerRef: true },
        },
      },
    });
  });

  it('turns on Entra sign-in for a Cache and gives the identity an access policy, its user named after its object ID', () => {
    const resources = renderComposition(
      read('compositions/cache.yaml'),
      xr('Cache', { size: 'medium', connectionSecretName: 'cache', entraAuthentication: { objectId: PORTAL_IDENTITY } }),
    );
    expect(resources.redis.spec.forProvider.redisConfiguration).toEqual({ activeDirectoryAuthenticationEnabled: true });
    expect(resources['access-policy']).toMatchObject({
      apiVersion: 'cache.azure.m.upbound.io/v1beta1',
      kind: 'RedisCacheAccessPolicyAssignment',
      spec: {
        forProvider: {
          objectId: PORTAL_IDENTITY,
          // What @internal/plugin-cache-node signs in as: the token's oid.
          objectIdAlias: PORTAL_IDENTITY,
          accessPolicyName: 'Data Contributor',
          redisCacheIdSelector: { matchControllerRef: true },
        },
      },
    });
  });

  it('refuses an Entra identity that is not an object ID, by the XRD', () => {
    expect(() =>
      xr('Cache', { size: 'small', connectionSecretName: 'cache', entraAuthentication: { objectId: 'id-idp-portal' } }),
    ).toThrow(/objectId/);
    expect(() =>
      xr('Database', { size: 'small', connectionSecretName: 'db', entraAdministrator: { objectId: PORTAL_IDENTITY } }),
    ).toThrow(/principalName|tenantId/);
  });
});

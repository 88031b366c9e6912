import { spawnSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import {
  CROSSPLANE_API_VERSION,
  ENVIRONMENT_LABEL,
  KUBERNETES_ID_LABEL,
  OWNER_ANNOTATION,
} from '@internal/plugin-platform-common';
import { ManifestAssembler } from '@internal/plugin-guardrails-common';
import {
  ManifestValidator,
  readYamlDocuments,
} from './validation/ManifestValidator';

// platform/portal is how the portal itself runs on AKS: a kustomize base, one overlay per
// environment and an Argo CD Application each. Nothing here talks to a cluster: the overlays
// are assembled the way `kustomize build` does (for the few features they use) and every
// object is checked against the Kubernetes 1.36 API, the CRDs and our own XRDs.

const repoRoot = path.resolve(__dirname, '../../..');
const portalDir = path.join(repoRoot, 'platform/portal');
const schemasDir = path.resolve(__dirname, '../schemas');
const ENVIRONMENTS = ['staging', 'prod'] as const;
const PORTAL = 'idp-portal';

type Obj = Record<string, any>;

const isObject = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

function readDocs(file: string): Obj[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
      return d.toJS();
    })
    .filter(Boolean);
}

// ---------------------------------------------------------------------------------------
// Schemas. The Kubernetes 1.36 OpenAPI definitions, made strict the way kubeconform's
// schemas are (an object with declared properties takes no other), so a misspelt field fails.

function strictify(schema: unknown) {
  if (!isObject(schema) || schema['x-kubernetes-preserve-unknown-fields'])
    return;
  if (isObject(schema.properties)) {
    Object.values(schema.properties).forEach(strictify);
    schema.additionalProperties ??= false;
  }
  if (isObject(schema.additionalProperties))
    strictify(schema.additionalProperties);
  if (schema.items) strictify(schema.items);
  for (const k of ['allOf', 'anyOf', 'oneOf'])
    (schema[k] ?? []).forEach(strictify);
}

const OBJECT_META = {
  $ref: 'k8s#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
};

class PortalSchemas {
  private readonly ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    logger: false,
  });
  private readonly refs = new Map<string, object>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly namespaced = new Map<string, boolean>();

  constructor() {
    const swagger = JSON.parse(
      fs.readFileSync(
        path.join(
          schemasDir,
          'kubernetes/openapi/kubernetes-release-1.36-swagger.json',
        ),
        'utf8',
      ),
    );
    const definitions: Obj = swagger.definitions;
    Object.values(definitions).forEach(strictify);
    // The API takes either form for these (the JSON Schema generators say the same).
    definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = {
      oneOf: [{ type: 'string' }, { type: 'integer' }],
    };
    definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = {
      oneOf: [{ type: 'string' }, { type: 'number' }],
    };
    this.ajv.addSchema({ $id: 'k8s', definitions });
    for (const [name, def] of Object.entries(definitions)) {
      for (const gvk of (def as Obj)['x-kubernetes-group-version-kind'] ?? []) {
        this.refs.set(this.key(gvk.group, gvk.version, gvk.kind), {
          $ref: `k8s#/definitions/${name}`,
        });
      }
    }
    // A kind is namespaced when the API serves it under /namespaces/{namespace}/.
    for (const [p, ops] of Object.entries<Obj>(swagger.paths)) {
      for (const op of Object.values<Obj>(ops)) {
        const gvk = isObject(op)
          ? op['x-kubernetes-group-version-kind']
          : undefined;
        if (!gvk) continue;
        const key = this.key(gvk.group, gvk.version, gvk.kind);
        this.namespaced.set(
          key,
          (this.namespaced.get(key) ?? false) || p.includes('{namespace}'),
        );
      }
    }
  }

  private key(group: string, version: string, kind: string) {
    return `${group ? `${group}/` : ''}${version}/${kind}`;
  }

  addCustomResourceDefinition(crd: Obj) {
    for (const version of crd.spec.versions) {
      const schema = clone(version.schema.openAPIV3Schema);
      strictify(schema);
      schema.properties.metadata = OBJECT_META;
      const key = this.key(crd.spec.group, version.name, crd.spec.names.kind);
      this.refs.set(key, schema);
      this.namespaced.set(key, crd.spec.scope === 'Namespaced');
    }
  }

  /** Crossplane v2: the XRD's schema describes spec; Crossplane builds the rest of the CRD. */
  addCompositeResourceDefinition(xrd: Obj) {
    for (const version of xrd.spec.versions) {
      const spec = clone(version.schema.openAPIV3Schema.properties.spec);
      strictify(spec);
      const key = this.key(xrd.spec.group, version.name, xrd.spec.names.kind);
      this.refs.set(key, {
        type: 'object',
        required: ['apiVersion', 'kind', 'metadata', 'spec'],
        additionalProperties: false,
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: OBJECT_META,
          spec,
        },
      });
      this.namespaced.set(key, xrd.spec.scope !== 'Cluster');
    }
  }

  isClusterScoped(obj: Obj): boolean {
    const known = this.namespaced.get(`${obj.apiVersion}/${obj.kind}`);
    if (known === undefined)
      throw new Error(`no schema known for ${obj.apiVersion}/${obj.kind}`);
    return !known;
  }

  validate(obj: Obj): string[] {
    const key = `${obj.apiVersion}/${obj.kind}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const schema = this.refs.get(key);
      if (!schema) return [`no schema known for ${key}`];
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    const what = `${obj.kind}/${obj.metadata?.name}`;
    if (validate(obj)) return [];
    return (validate.errors ?? []).map(
      e =>
        `${what} ${e.instancePath || '/'} ${e.message}${
          'additionalProperty' in e.params
            ? ` (${e.params.additionalProperty})`
            : ''
        }`,
    );
  }
}

// ---------------------------------------------------------------------------------------

const schemas = new PortalSchemas();
const spcCrd = readYamlDocuments(
  path.join(
    schemasDir,
    'secrets-store-csi-driver/secrets-store.csi.x-k8s.io_secretproviderclasses.yaml',
  ),
)[0];
const applicationCrd = readYamlDocuments(
  path.join(schemasDir, 'argocd/application-crd.yaml'),
)[0];
const crossplane = (kind: string) =>
  readYamlDocuments(
    path.join(repoRoot, `platform/crossplane/v2/${kind}.yaml`),
  )[0];
const databaseXrd = crossplane('xrds/database');
const cacheXrd = crossplane('xrds/cache');
schemas.addCustomResourceDefinition(spcCrd);
schemas.addCustomResourceDefinition(applicationCrd);
schemas.addCompositeResourceDefinition(databaseXrd);
schemas.addCompositeResourceDefinition(cacheXrd);

// The validator the golden paths' commits go through (Kubernetes 1.32, the same CRDs).
const goldenPathValidator = ManifestValidator.fromDirectory(schemasDir);
goldenPathValidator.addCustomResourceDefinition(spcCrd);
goldenPathValidator.addCompositeResourceDefinition(databaseXrd);
goldenPathValidator.addCompositeResourceDefinition(cacheXrd);

/**
 * What the v2 Composition of a kind writes into the connection Secret: its literal values
 * (stringData) and, for the keys copied from the Azure resources, undefined.
 */
function connectionSecretData(
  composition: Obj,
): Record<string, string | undefined> {
  const secret = composition.spec.pipeline
    .flatMap((step: Obj) => step.input?.resources ?? [])
    .find((r: Obj) => r.base?.kind === 'Object').base.spec;
  const data: Record<string, string | undefined> = {
    ...secret.forProvider.manifest.stringData,
  };
  for (const ref of secret.references ?? []) {
    data[ref.toFieldPath.replace(/^(stringData|data)\./, '')] = undefined;
  }
  return data;
}
const databaseSecret = connectionSecretData(
  crossplane('compositions/database'),
);
const cacheSecret = connectionSecretData(crossplane('compositions/cache'));

// Assembled by the guardrails' kustomize, the one the golden paths' check step uses; it refuses
// any kustomization feature it does not apply, so nothing slips past half applied.
const portalFiles = filesUnder(portalDir)
  .filter(
    f => f.endsWith('.yml') && !f.startsWith(path.join(portalDir, 'argocd')),
  )
  .map(f => ({ path: path.relative(repoRoot, f), documents: readDocs(f) }));
const build = (env: string): Obj[] =>
  new ManifestAssembler(portalFiles).build(
    path.relative(repoRoot, path.join(portalDir, 'overlays', env)),
  );
const one = (objects: Obj[], kind: string, name?: string) => {
  const found = objects.filter(
    o => o.kind === kind && (!name || o.metadata.name === name),
  );
  if (found.length !== 1)
    throw new Error(`${found.length} objects ${kind}/${name ?? '*'}`);
  return found[0];
};
const application = (env: string) =>
  readDocs(path.join(portalDir, 'argocd', `${env}.yml`))[0];
const productionConfig = parse(
  fs.readFileSync(path.join(repoRoot, 'app-config.production.yaml'), 'utf8'),
);
const baseConfig = parse(
  fs.readFileSync(path.join(repoRoot, 'app-config.yaml'), 'utf8'),
);

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

function matchesLabels(selector: Obj, labels: Obj) {
  expect(selector.matchExpressions).toBeUndefined();
  return Object.entries(selector.matchLabels ?? {}).every(
    ([k, v]) => labels?.[k] === v,
  );
}

function quantity(q: string | number): number {
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti)?$/.exec(String(q));
  if (!m) throw new Error(`unparsed quantity ${q}`);
  const unit =
    { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[
      m[2] ?? ''
    ] ?? 1;
  return Number(m[1]) * unit;
}

/** A config value with each ${VAR} replaced; a string with a variable not set is dropped, as Backstage does. */
function substitute(
  value: unknown,
  variable: (name: string) => string | undefined,
): unknown {
  if (typeof value === 'string') {
    let missing = false;
    const out = value.replace(/\$\{(\w+)\}/g, (_, name) => {
      const v = variable(name);
      if (v === undefined) missing = true;
      return v ?? '';
    });
    return missing ? undefined : out;
  }
  if (Array.isArray(value)) return value.map(v => substitute(v, variable));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v, variable)]),
    );
  }
  return value;
}

/** Every ${VAR} a config file reads. */
function configVariables(value: unknown): string[] {
  if (typeof value === 'string')
    return [...value.matchAll(/\$\{(\w+)\}/g)].map(m => m[1]);
  if (Array.isArray(value)) return value.flatMap(configVariables);
  if (isObject(value)) return Object.values(value).flatMap(configVariables);
  return [];
}

describe('platform/portal', () => {
  describe.each(ENVIRONMENTS)('the %s overlay', env => {
    const objects = build(env);
    const deployment = one(objects, 'Deployment', PORTAL);
    const pod = deployment.spec.template;
    const container = pod.spec.containers[0];
    const hpa = one(objects, 'HorizontalPodAutoscaler', PORTAL);
    const serviceAccount = one(objects, 'ServiceAccount', PORTAL);
    const spc = one(objects, 'SecretProviderClass', PORTAL);
    const database = one(objects, 'Database');
    const cache = one(objects, 'Cache');
    const env_ = (name: string) =>
      container.env.find((e: Obj) => e.name === name);

    it('holds the objects the portal needs, and every one validates against Kubernetes 1.36, the CRDs and our XRDs', () => {
      expect(objects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
        'Cache/idp-portal-cache',
        'Database/idp-portal-db',
        'Deployment/idp-portal',
        'HorizontalPodAutoscaler/idp-portal',
        'Ingress/idp-portal',
        'Namespace/idp-portal',
        'NetworkPolicy/default-deny',
        'NetworkPolicy/idp-portal-allow',
        'PodDisruptionBudget/idp-portal',
        'SecretProviderClass/idp-portal',
        'Service/idp-portal',
        'ServiceAccount/idp-portal',
      ]);
      expect(objects.flatMap(o => schemas.validate(o))).toEqual([]);
      expect(
        objects.flatMap(o =>
          goldenPathValidator.validate(o).map(p => `${o.kind}: ${p}`),
        ),
      ).toEqual([]);
      for (const o of objects) {
        expect([o.kind, o.metadata.namespace]).toEqual([
          o.kind,
          schemas.isClusterScoped(o) ? undefined : PORTAL,
        ]);
        expect([o.kind, o.metadata.labels?.[ENVIRONMENT_LABEL]]).toEqual([
          o.kind,
          env,
        ]);
        expect([o.kind, o.metadata.labels?.[KUBERNETES_ID_LABEL]]).toEqual([
          o.kind,
          PORTAL,
        ]);
      }
    });

    it('runs two or more pods, one new pod at a time, never below what is serving', () => {
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: PORTAL,
      });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      // Migrations run at startup: one new pod at a time migrates, old pods keep serving.
      expect(deployment.spec.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      });
      expect(matchesLabels(deployment.spec.selector, pod.metadata.labels)).toBe(
        true,
      );

      const pdb = one(objects, 'PodDisruptionBudget', PORTAL);
      expect(matchesLabels(pdb.spec.selector, pod.metadata.labels)).toBe(true);
      // Always leaves a pod: fewer may go than the smallest count there is.
      expect(pdb.spec.maxUnavailable).toBeLessThan(hpa.spec.minReplicas);
    });

    it('runs as non-root, read-only, without privileges, within requests and limits', () => {
      expect(pod.spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
      for (const k of ['hostNetwork', 'hostPID', 'hostIPC'])
        expect(pod.spec[k]).toBeFalsy();
      const volumeSources = pod.spec.volumes
        .map((v: Obj) => Object.keys(v).filter(k => k !== 'name'))
        .flat();
      // What the restricted Pod Security level allows, and the namespace enforces it.
      expect(
        volumeSources.every((s: string) =>
          ['emptyDir', 'csi', 'configMap', 'secret', 'projected'].includes(s),
        ),
      ).toBe(true);
      expect(
        one(objects, 'Namespace').metadata.labels[
          'pod-security.kubernetes.io/enforce'
        ],
      ).toBe('restricted');

      expect(pod.spec.containers).toHaveLength(1);
      expect(container.securityContext).toEqual({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      const tmp = container.volumeMounts.find(
        (m: Obj) => m.mountPath === '/tmp',
      );
      expect(
        pod.spec.volumes.find((v: Obj) => v.name === tmp?.name)?.emptyDir,
      ).toBeDefined();

      const { requests, limits } = container.resources;
      for (const r of ['cpu', 'memory']) {
        expect(quantity(requests[r])).toBeGreaterThan(0);
        expect(quantity(limits[r])).toBeGreaterThanOrEqual(
          quantity(requests[r]),
        );
      }
      expect(container.image).toMatch(
        /^contoso\.azurecr\.io\/idp-portal:[\w][\w.-]*$/,
      );
      expect(container.image).not.toMatch(/:latest$/);
    });

    it("probes Backstage's own health endpoints on the port the backend listens on", () => {
      const port = container.ports.find((p: Obj) => p.name === 'http');
      expect(`:${port.containerPort}`).toBe(productionConfig.backend.listen);
      const get = (probe: Obj) => [probe.httpGet.path, probe.httpGet.port];
      expect(get(container.startupProbe)).toEqual([
        '/.backstage/health/v1/readiness',
        'http',
      ]);
      expect(get(container.readinessProbe)).toEqual([
        '/.backstage/health/v1/readiness',
        'http',
      ]);
      expect(get(container.livenessProbe)).toEqual([
        '/.backstage/health/v1/liveness',
        'http',
      ]);
      // First start migrates every plugin's tables: the startup budget must outlast it
      // and fit inside the rollout's deadline.
      const budget =
        container.startupProbe.periodSeconds *
        container.startupProbe.failureThreshold;
      expect(budget).toBeGreaterThanOrEqual(300);
      expect(budget).toBeLessThan(deployment.spec.progressDeadlineSeconds);
      expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(
        container.lifecycle.preStop.sleep.seconds,
      );
    });

    it('is reached only through the ingress controller, over TLS, and reaches only DNS, PostgreSQL, Redis and HTTPS', () => {
      const service = one(objects, 'Service', PORTAL);
      expect(service.spec.selector).toEqual(
        deployment.spec.selector.matchLabels,
      );
      expect(container.ports.map((p: Obj) => p.name)).toContain(
        service.spec.ports[0].targetPort,
      );

      const ingress = one(objects, 'Ingress', PORTAL);
      const hosts = ingress.spec.rules.map((r: Obj) => r.host);
      expect(ingress.spec.tls.flatMap((t: Obj) => t.hosts).sort()).toEqual(
        [...hosts].sort(),
      );
      for (const p of ingress.spec.rules.flatMap((r: Obj) => r.http.paths)) {
        expect(p.backend.service).toEqual({
          name: service.metadata.name,
          port: { name: service.spec.ports[0].name },
        });
      }
      expect(env_('PORTAL_BASE_URL').value).toBe(`https://${hosts[0]}`);
      expect(
        ingress.metadata.annotations[
          'kubernetes.azure.com/tls-cert-keyvault-uri'
        ],
      ).toMatch(
        new RegExp(
          `^https://${spc.spec.parameters.keyvaultName}\\.vault\\.azure\\.net/certificates/`,
        ),
      );

      const policies = objects.filter(o => o.kind === 'NetworkPolicy');
      const deny = policies.find(
        p => Object.keys(p.spec.podSelector).length === 0,
      );
      expect(deny?.spec).toEqual({
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
      });
      const allow = policies.filter(p => p !== deny);
      expect(allow).toHaveLength(1);
      const { spec } = allow[0];
      expect(matchesLabels(spec.podSelector, pod.metadata.labels)).toBe(true);
      expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(spec.ingress).toEqual([
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: {
                  'kubernetes.io/metadata.name': 'app-routing-system',
                },
              },
            },
          ],
          ports: [{ port: 'http', protocol: 'TCP' }],
        },
      ]);
      // A rule without ports would open every port.
      expect(spec.egress.every((r: Obj) => r.ports?.length)).toBe(true);
      const open = spec.egress.flatMap((r: Obj) =>
        r.ports.map(
          (p: Obj) => `${p.port}/${p.protocol}${r.to ? ' kube-dns' : ''}`,
        ),
      );
      expect(open.sort()).toEqual(
        [
          '443/TCP',
          '5432/TCP',
          `${cacheSecret.port}/TCP`,
          '53/TCP kube-dns',
          '53/UDP kube-dns',
        ].sort(),
      );
      const dns = spec.egress.find((r: Obj) => r.to);
      expect(dns.to).toEqual([
        {
          namespaceSelector: {
            matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
          },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ]);
    });

    it('signs in to Azure with workload identity, the same identity for Key Vault', () => {
      const uuid =
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      const clientId =
        serviceAccount.metadata.annotations[
          'azure.workload.identity/client-id'
        ];
      const tenantId =
        serviceAccount.metadata.annotations[
          'azure.workload.identity/tenant-id'
        ];
      expect(clientId).toMatch(uuid);
      expect(tenantId).toMatch(uuid);
      expect(pod.metadata.labels['azure.workload.identity/use']).toBe('true');
      expect(pod.spec.serviceAccountName).toBe(serviceAccount.metadata.name);

      expect(spc.spec.provider).toBe('azure');
      expect(spc.spec.parameters).toMatchObject({
        usePodIdentity: 'false',
        clientID: clientId,
        tenantId,
      });
      expect(spc.spec.parameters.keyvaultName).toMatch(
        /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
      );
      const mounted = pod.spec.volumes.find(
        (v: Obj) =>
          v.csi?.volumeAttributes?.secretProviderClass === spc.metadata.name,
      );
      expect(mounted?.csi).toMatchObject({
        driver: 'secrets-store.csi.k8s.io',
        readOnly: true,
      });
      // The CSI driver syncs the Secret only while a pod mounts the volume.
      expect(container.volumeMounts.map((m: Obj) => m.name)).toContain(
        mounted.name,
      );
    });

    it('keeps every secret out of Git: Key Vault or Crossplane write them, the pod refers to them', () => {
      expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
      const synced = new Map<string, string[]>(
        spc.spec.secretObjects.map((s: Obj) => [
          s.secretName,
          s.data.map((d: Obj) => d.key),
        ]),
      );
      const vaultObjects = parse(spc.spec.parameters.objects).array.map(
        (o: string) => parse(o).objectName,
      );
      for (const s of spc.spec.secretObjects) {
        for (const d of s.data) expect(vaultObjects).toContain(d.objectName);
      }
      // The keys the Compositions write into each connection Secret (docs/gitops-layout.md).
      const fromCrossplane = new Map([
        [database.spec.connectionSecretName, Object.keys(databaseSecret)],
        [cache.spec.connectionSecretName, Object.keys(cacheSecret)],
      ]);

      const refs = [
        ...container.env
          .filter((e: Obj) => e.valueFrom)
          .map((e: Obj) => e.valueFrom.secretKeyRef),
        ...(container.envFrom ?? []).map((e: Obj) => e.secretRef),
      ];
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(ref).toBeDefined();
        const keys = synced.get(ref.name) ?? fromCrossplane.get(ref.name);
        expect([ref.name, keys?.includes(ref.key)]).toEqual([ref.name, true]);
      }
      const literal = container.env
        .filter((e: Obj) => 'value' in e)
        .map((e: Obj) => e.name);
      expect(
        literal.filter((n: string) => /SECRET|PASSWORD|TOKEN|KEY/.test(n)),
      ).toEqual([]);
    });

    it('sets every variable app-config.production.yaml reads', () => {
      const set = new Set(container.env.map((e: Obj) => e.name));
      // The workload identity webhook adds these from the ServiceAccount's annotations; set
      // by hand as well, they would hide a mismatch.
      const fromWebhook = [
        'AZURE_CLIENT_ID',
        'AZURE_TENANT_ID',
        'AZURE_FEDERATED_TOKEN_FILE',
      ];
      for (const name of fromWebhook) expect(set.has(name)).toBe(false);
      // Entra authentication to PostgreSQL and Redis reads no password (docs/production.md).
      expect(env_('POSTGRES_CONNECTION_TYPE').value).toBe('azure');
      expect(env_('REDIS_CONNECTION_TYPE').value).toBe('azure');
      const optional = ['POSTGRES_PASSWORD', 'REDIS_PASSWORD'];
      for (const name of optional) expect([name, env_(name)]).toEqual([name, undefined]);
      const needed = [...new Set(configVariables(productionConfig))].sort();
      expect(needed.length).toBeGreaterThanOrEqual(10);
      expect(
        needed.filter(
          v => !set.has(v) && !fromWebhook.includes(v) && !optional.includes(v),
        ),
      ).toEqual([]);
      const required: Array<{ env: string; key?: string }> = productionConfig.preflight.required;
      // An entry without a key is a variable a library reads itself, not the configuration.
      expect(required.filter(r => r.key).map(r => r.env).filter(v => !needed.includes(v))).toEqual([]);
      expect(required.filter(r => !r.key).map(r => r.env).filter(v => !fromWebhook.includes(v))).toEqual([]);
      expect(env_('POSTGRES_HOST').valueFrom.secretKeyRef.name).toBe(
        database.spec.connectionSecretName,
      );
    });

    it('signs in to its PostgreSQL server as its managed identity, the Entra administrator', () => {
      expect(database.spec.entraAdministrator).toMatchObject({
        principalName: env_('POSTGRES_USER').value,
        principalType: 'ServicePrincipal',
      });
      // The tenant of the identity is the one the workload identity webhook names.
      expect(database.spec.entraAdministrator.tenantId).toBe(
        serviceAccount.metadata.annotations['azure.workload.identity/tenant-id'],
      );
      const { connection } = productionConfig.backend.database;
      expect(connection.type).toBe('${POSTGRES_CONNECTION_TYPE}');
      expect(connection.tokenCredential).toEqual({ clientId: '${AZURE_CLIENT_ID}' });
    });

    it('asks for its PostgreSQL server as our own Crossplane Database, before the Deployment', () => {
      expect(database.apiVersion).toBe(CROSSPLANE_API_VERSION);
      expect(database.kind).toBe(databaseXrd.spec.names.kind);
      const wave = (o: Obj) =>
        Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
      expect(wave(database)).toBeLessThan(wave(deployment));
      expect(
        database.metadata.annotations['argocd.argoproj.io/sync-options'].split(
          ',',
        ),
      ).toEqual(expect.arrayContaining(['Prune=false', 'Delete=false']));
    });

    it('caches in its own Redis, our Crossplane Cache, whose connection Secret gives Backstage the URL, signing in as its managed identity', () => {
      expect(cache.apiVersion).toBe(CROSSPLANE_API_VERSION);
      expect(cache.kind).toBe(cacheXrd.spec.names.kind);
      const wave = (o: Obj) =>
        Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
      expect(wave(cache)).toBeLessThan(wave(deployment));
      expect(
        cache.metadata.annotations['argocd.argoproj.io/sync-options'].split(
          ',',
        ),
      ).toEqual(expect.arrayContaining(['Prune=false', 'Delete=false']));
      expect(Object.keys(cacheSecret).sort()).toEqual([
        'host',
        'password',
        'port',
      ]);

      // The Secret as the Composition writes it, then the configuration as Backstage reads it
      // in the pod: Entra sign-in, no key, as the identity the Cache gave an access policy.
      const secret: Record<string, string | undefined> = {
        ...cacheSecret,
        host: 'redis-3f9a1c2b-idp-portal-cache.redis.cache.windows.net',
        password: 'Zm9v/YmFy+YmF6cXV4=',
      };
      expect(cache.spec.entraAuthentication.objectId).toMatch(/^[0-9a-f-]{36}$/);
      const webhook: Record<string, string> = { AZURE_CLIENT_ID: 'from-the-service-account' };
      const unset = ['REDIS_PASSWORD'];
      for (const name of unset) expect([name, env_(name)]).toEqual([name, undefined]);
      const fromSecret = (name: string) => {
        if (unset.includes(name)) return undefined;
        if (name in webhook) return webhook[name];
        if (env_(name)?.value !== undefined) return env_(name).value;
        const ref = env_(name)?.valueFrom?.secretKeyRef;
        expect([name, ref?.name]).toEqual([
          name,
          cache.spec.connectionSecretName,
        ]);
        return secret[ref?.key];
      };
      const { store, connection } = productionConfig.backend.cache;
      expect(store).toBe('redis');
      expect(configVariables(connection).length).toBeGreaterThan(0);
      const resolved = substitute(connection, fromSecret) as Obj;
      const url = new URL(resolved.url);
      expect([url.protocol, url.hostname, url.port]).toEqual([
        'rediss:',
        secret.host,
        secret.port,
      ]);
      expect(resolved.password).toBeUndefined();
      expect(url.password).toBe('');
      expect(resolved.type).toBe('azure');
      expect(resolved.tokenCredential).toEqual({ clientId: webhook.AZURE_CLIENT_ID });
      // Azure Cache for Redis drops connections idle for 10 minutes.
      expect(resolved.pingInterval).toBeLessThan(10 * 60 * 1000);
    });

    it('is an Argo CD Application in the platform team project, which allows everything it deploys', () => {
      const app = application(env);
      expect(schemas.validate(app)).toEqual([]);
      expect(goldenPathValidator.validate(app)).toEqual([]);
      expect(app.metadata).toMatchObject({
        name: `${PORTAL}-${env}`,
        namespace: 'argocd',
      });
      expect(app.metadata.annotations[OWNER_ANNOTATION]).toBe(
        'group:default/platform-team',
      );
      expect(deployment.metadata.annotations[OWNER_ANNOTATION]).toBe(
        app.metadata.annotations[OWNER_ANNOTATION],
      );
      expect(app.spec.source.path).toBe(`apps/${PORTAL}/overlays/${env}`);
      const cluster = baseConfig.gitops.environments.find(
        (e: Obj) => e.name === env,
      ).cluster;
      expect(app.spec.destination).toEqual({
        name: cluster,
        namespace: PORTAL,
      });
      expect(app.spec.syncPolicy.automated).toEqual({
        prune: env !== 'prod',
        selfHeal: true,
      });
      // The HPA moves replicas; without this a self-heal would put them back to 2.
      expect(app.spec.ignoreDifferences).toContainEqual({
        group: 'apps',
        kind: 'Deployment',
        name: PORTAL,
        jsonPointers: ['/spec/replicas'],
      });
      expect(app.spec.syncPolicy.syncOptions).toContain(
        'RespectIgnoreDifferences=true',
      );

      const project = readDocs(
        path.join(
          repoRoot,
          'platform/argocd/projects',
          `${app.spec.project}.yaml`,
        ),
      )[0];
      expect(project.metadata.name).toBe('platform-team');
      expect(project.spec.sourceRepos).toContain(app.spec.source.repoURL);
      const glob = (pattern: string) =>
        new RegExp(
          `^${pattern
            .split('*')
            .map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        );
      expect(
        project.spec.destinations.some((d: Obj) =>
          glob(d.namespace).test(app.spec.destination.namespace),
        ),
      ).toBe(true);
      const groupOf = (o: Obj) =>
        String(o.apiVersion).split('/').slice(0, -1).join('/');
      const kinds = (list: Obj[]) =>
        list.map(o => ({ group: groupOf(o), kind: o.kind }));
      const clusterScoped = kinds(
        objects.filter(o => schemas.isClusterScoped(o)),
      );
      expect(clusterScoped).toEqual([{ group: '', kind: 'Namespace' }]);
      expect(project.spec.clusterResourceWhitelist).toEqual(
        expect.arrayContaining(clusterScoped),
      );
      for (const gk of kinds(objects)) {
        expect(
          project.spec.namespaceResourceBlacklist ?? [],
        ).not.toContainEqual(gk);
      }
    });
  });

  it('uses every file it has: nothing under base/ or overlays/ escapes the builds above', () => {
    const used = new Set<string>();
    const walk = (dir: string) => {
      used.add(path.join(dir, 'kustomization.yml'));
      const k = parse(
        fs.readFileSync(path.join(dir, 'kustomization.yml'), 'utf8'),
      );
      for (const r of k.resources ?? []) {
        const p = path.join(dir, r);
        if (fs.statSync(p).isDirectory()) walk(p);
        else used.add(p);
      }
      for (const p of k.patches ?? []) used.add(path.join(dir, p.path));
    };
    ENVIRONMENTS.forEach(env => walk(path.join(portalDir, 'overlays', env)));
    const files = filesUnder(portalDir).filter(
      f => !f.startsWith(path.join(portalDir, 'argocd')),
    );
    expect(
      files.filter(f => !used.has(f)).map(f => path.relative(portalDir, f)),
    ).toEqual([]);
    expect(
      filesUnder(path.join(portalDir, 'argocd'))
        .map(f => path.basename(f))
        .sort(),
    ).toEqual(['prod.yml', 'staging.yml']);
    for (const f of filesUnder(portalDir)) {
      expect([f, readDocs(f).filter(d => d.kind === 'Secret').length]).toEqual([
        f,
        0,
      ]);
    }
  });

  it('names the health endpoints the installed @backstage/backend-defaults serves', () => {
    const pkg = require.resolve('@backstage/backend-defaults/package.json', {
      paths: [path.join(repoRoot, 'packages/backend')],
    });
    const router = fs.readFileSync(
      path.join(
        path.dirname(pkg),
        'dist/entrypoints/rootHttpRouter/createHealthRouter.cjs.js',
      ),
      'utf8',
    );
    expect(router).toContain('"/.backstage/health/v1/readiness"');
    expect(router).toContain('"/.backstage/health/v1/liveness"');
  });

  describe('the schemas catch what they should', () => {
    const prod = build('prod');
    const broken = (kind: string, edit: (o: Obj) => void) => {
      const o = clone(one(prod, kind));
      edit(o);
      return schemas.validate(o);
    };

    it('a misspelt field, a wrong type, a missing required field', () => {
      expect(
        broken('Deployment', o => {
          o.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem =
            true;
        }),
      ).toEqual([
        expect.stringContaining(
          'must NOT have additional properties (readOnlyRootFileSystem)',
        ),
      ]);
      expect(
        broken('Deployment', o => {
          o.spec.template.spec.containers[0].ports[0].containerPort = '7007';
        }),
      ).toEqual([expect.stringContaining('must be integer')]);
      expect(
        broken('Service', o => {
          delete o.spec.ports[0].port;
        }),
      ).toEqual([
        expect.stringContaining("must have required property 'port'"),
      ]);
    });

    it('the CRDs and the XRD: unknown fields and values outside an enum', () => {
      expect(
        broken('SecretProviderClass', o => {
          o.spec.secretObject = o.spec.secretObjects;
        }),
      ).toEqual([expect.stringContaining('(secretObject)')]);
      expect(
        broken('Database', o => {
          o.spec.size = 'huge';
        }),
      ).toEqual([
        expect.stringContaining('must be equal to one of the allowed values'),
      ]);
      expect(
        broken('Database', o => {
          o.metadata.annotation = {};
        }),
      ).toEqual([expect.stringContaining('(annotation)')]);
      expect(
        broken('Cache', o => {
          o.spec.version = '16';
        }),
      ).toEqual([expect.stringContaining('(version)')]);
      const app = clone(application('prod'));
      app.spec.projects = app.spec.project;
      expect(schemas.validate(app)).toEqual([
        expect.stringContaining('(projects)'),
      ]);
    });
  });

  // The assembly above follows kustomize; where kubectl is installed, check it against the real one.
  const kubectl = spawnSync('kubectl', ['version', '--client'], {
    encoding: 'utf8',
  });
  const withKubectl = kubectl.status === 0 ? describe : describe.skip;
  withKubectl('next to kubectl kustomize', () => {
    it.each(ENVIRONMENTS)(
      'assembles the %s overlay exactly as kubectl kustomize does',
      env => {
        const real = spawnSync(
          'kubectl',
          ['kustomize', path.join(portalDir, 'overlays', env)],
          { encoding: 'utf8' },
        );
        expect(real.stderr).toBe('');
        const byName = (objs: Obj[]) =>
          new Map(objs.map(o => [`${o.kind}/${o.metadata.name}`, o]));
        const ours = byName(build(env));
        const theirs = byName(
          parseAllDocuments(real.stdout).map(d => d.toJS()),
        );
        expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
        for (const [k, o] of ours) expect([k, o]).toEqual([k, theirs.get(k)]);
      },
    );
  });
});

// No Docker engine runs where these tests do: what can be checked without one is that the
// Dockerfile only takes what the build context has, and that the image it describes is the
// one the Deployment expects (user, port, configuration files).
describe('Dockerfile', () => {
  type Stage = {
    from: string;
    name?: string;
    steps: Array<{ op: string; args: string }>;
  };

  const text = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, rest] = /^(\w+)\s+(.*)$/.exec(line)!;
    if (op === 'ARG' && !stages.length) {
      const [k, v] = rest.split('=');
      args[k] = v;
    } else if (op === 'FROM') {
      const [from, , name] = rest.split(/\s+/);
      stages.push({
        from: from.replace(/^\$\{(\w+)\}$/, (_, k) => args[k]),
        name,
        steps: [],
      });
    } else {
      stages[stages.length - 1].steps.push({ op, args: rest });
    }
  }
  const final = stages[stages.length - 1];
  const stage = (name: string) => stages.find(s => s.name === name)!;
  const steps = (s: Stage, op: string) =>
    s.steps.filter(x => x.op === op).map(x => x.args);
  const copies = (s: Stage) =>
    steps(s, 'COPY').map(a => {
      const words = a.split(/\s+/);
      const from = words
        .find(w => w.startsWith('--from='))
        ?.slice('--from='.length);
      const paths = words.filter(w => !w.startsWith('--'));
      return {
        from,
        sources: paths.slice(0, -1),
        dest: paths[paths.length - 1],
      };
    });

  const patterns = fs
    .readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'));
  const GLOB_TOKENS: Record<string, string> = {
    '**': '.*',
    '*': '[^/]*',
    '?': '[^/]',
  };
  const globRegExp = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/^\//, '')
        .split(/(\*\*|\*|\?)/)
        .map(t => GLOB_TOKENS[t] ?? t.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
        .join('')}$`,
    );
  /** As Docker reads .dockerignore: a pattern that matches a folder leaves out all it holds. */
  const ignored = (file: string) => {
    const parts = file.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let out = false;
    for (const p of patterns) {
      const negated = p.startsWith('!');
      if (prefixes.some(x => globRegExp(negated ? p.slice(1) : p).test(x)))
        out = !negated;
    }
    return out;
  };

  it('builds every stage on Node 22 (bookworm-slim) or an earlier stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    stages.forEach((s, i) => {
      const earlier = stages.slice(0, i).map(x => x.name);
      expect([
        s.from,
        s.from === 'node:22-bookworm-slim' || earlier.includes(s.from),
      ]).toEqual([s.from, true]);
    });
    // The image starts from the plain base: no compiler, no build stage underneath.
    expect(final.from).toBe('node:22-bookworm-slim');
    expect(final.steps.filter(x => x.op === 'RUN')).toEqual([]);
  });

  it('copies from the build context only what is there and not left out by .dockerignore', () => {
    const sources = stages.flatMap(s =>
      copies(s)
        .filter(c => !c.from)
        .flatMap(c => c.sources),
    );
    expect(sources).toEqual(
      expect.arrayContaining([
        'packages',
        'plugins',
        'yarn.lock',
        '.yarn/releases',
        '.',
      ]),
    );
    for (const src of sources.filter(x => x !== '.')) {
      expect([
        src,
        fs.existsSync(path.join(repoRoot, src)),
        ignored(src),
      ]).toEqual([src, true, false]);
    }
    for (const s of stages) {
      for (const c of copies(s).filter(x => x.from))
        expect(stages.map(x => x.name)).toContain(c.from);
    }
    // `COPY . .` must not bring in what this machine installed, built or keeps locally.
    for (const f of [
      'node_modules/yaml/package.json',
      'plugins/health/node_modules/x',
      'packages/backend/dist/bundle.tar.gz',
      'packages/app/dist/index.html',
      '.git/HEAD',
      'dist-types/x.d.ts',
      'app-config.local.yaml',
      '.yarn/install-state.gz',
    ]) {
      expect([f, ignored(f)]).toEqual([f, true]);
    }
    for (const f of [
      'packages/backend/src/index.ts',
      'plugins/health/package.json',
      '.yarn/releases',
      '.yarnrc.yml',
      'tsconfig.json',
    ]) {
      expect([f, ignored(f)]).toEqual([f, false]);
    }
  });

  it('has every patch a resolution names in the stages that install, before they install', () => {
    const root = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'),
    );
    const patches = Object.values<string>(root.resolutions)
      .map(v => /#~\/(.+\.patch)/.exec(v)?.[1])
      .filter((p): p is string => !!p);
    expect(patches.length).toBeGreaterThan(0);
    for (const file of patches) {
      expect([
        file,
        fs.existsSync(path.join(repoRoot, file)),
        ignored(file),
      ]).toEqual([file, true, false]);
    }
    // build and production-deps both start from build-tools, which copies the patches.
    const tools = stage('build-tools');
    const copied = copies(tools).flatMap(c => c.sources);
    for (const file of patches) {
      expect(copied.some(src => file.startsWith(`${src}/`))).toBe(true);
    }
    expect(stage('build').from).toBe('build-tools');
    expect(stage('production-deps').from).toBe('build-tools');
  });

  it('installs from the lockfile, type-checks and builds the backend bundle with the frontend in it', () => {
    const run = steps(stage('build'), 'RUN').join('\n');
    expect(run).toContain('yarn install --immutable');
    expect(run).toContain('yarn tsc');
    expect(run).toContain('yarn build:backend');
    const root = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'),
    );
    expect(root.scripts['build:backend']).toBe('yarn workspace backend build');
    const backend = JSON.parse(
      fs.readFileSync(
        path.join(repoRoot, 'packages/backend/package.json'),
        'utf8',
      ),
    );
    expect(backend.scripts.build).toBe('backstage-cli package build');
    // The backend depends on the app package, so its bundle carries the built frontend that app-backend serves.
    expect(backend.dependencies).toMatchObject({
      app: 'link:../app',
      '@backstage/plugin-app-backend': expect.any(String),
    });
    expect(copies(stage('production-deps')).flatMap(c => c.sources)).toContain(
      '/app/packages/backend/dist/skeleton.tar.gz',
    );
    expect(
      steps(stage('build'), 'RUN').some(r =>
        r.includes('packages/backend/dist/bundle.tar.gz'),
      ),
    ).toBe(true);
    expect(steps(stage('production-deps'), 'RUN').join('\n')).toContain(
      'yarn workspaces focus --all --production',
    );
  });

  it('runs the backend as the numeric user the Deployment expects, on its port, with both config files', () => {
    const pod = one(build('prod'), 'Deployment', PORTAL).spec.template.spec;
    expect(steps(final, 'USER')).toEqual([
      `${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`,
    ]);
    expect(steps(final, 'EXPOSE')).toEqual([
      productionConfig.backend.listen.replace(':', ''),
    ]);
    expect(pod.containers[0].command).toBeUndefined();
    expect(pod.containers[0].args).toBeUndefined();
    const cmd = JSON.parse(steps(final, 'CMD')[0]);
    expect(cmd).toEqual([
      'node',
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
    ]);
    const shipped = copies(final)
      .filter(c => !c.from)
      .flatMap(c => c.sources);
    expect(shipped).toEqual(
      expect.arrayContaining(['app-config.yaml', 'app-config.production.yaml']),
    );
    // File locations in the production configuration are read relative to /app.
    for (const location of productionConfig.catalog.locations.filter(
      (l: Obj) => l.type === 'file',
    )) {
      expect(shipped).toContain(path.normalize(location.target));
    }
    expect(steps(final, 'ENV')).toContain('NODE_ENV=production');
  });
});

import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import {
  AZURE_NAME_TARGETS,
  azureNameOf,
  checkName,
  NameContext,
  readNamingContext,
} from './nameRules';
import { checkServiceRequestNames } from './request';

const environments = ['dev', 'staging', 'prod'];
const rules = (
  name: string,
  role: 'service' | 'resource' | 'team',
  context: NameContext = {},
) => checkName(name, role, context).map(p => p.rule);

describe('checkName for a service', () => {
  it.each([
    ['', 'empty', 'Service name is empty'],
    [
      'a'.repeat(64),
      'length',
      'has 64 characters; the Kubernetes Namespace and Service',
    ],
    [
      'Payments',
      'lowercase',
      'has capital letters; the Kubernetes Namespace, Service, Deployment and ServiceAccount take lowercase letters only',
    ],
    ['pay_ments', 'characters', 'contains "_"'],
    [
      'team/payments',
      'characters',
      '"/" or ".." would change the paths it names in the GitOps repository',
    ],
    ['-payments', 'edges', 'starts with "-"'],
    ['payments-', 'edges', 'ends with "-"'],
    [
      '1payments',
      'dns-1035',
      'the Kubernetes Service, a DNS-1035 label, which must start with a letter',
    ],
    [
      'a'.repeat(56),
      'application-length',
      `makes the ArgoCD Application "${'a'.repeat(
        56,
      )}-staging" (64 characters) in staging`,
    ],
    [
      'default',
      'reserved',
      '"default" is the namespace every Kubernetes cluster has',
    ],
    ['kube-system', 'reserved', 'Kubernetes keeps the kube- prefix'],
    ['kube-anything', 'reserved', 'Kubernetes keeps the kube- prefix'],
    ['argocd', 'reserved', 'ArgoCD runs in argocd'],
    [
      'crossplane-system',
      'reserved',
      'Crossplane and its Azure providers run in crossplane-system',
    ],
    ['gatekeeper-system', 'reserved', 'Azure Policy for AKS'],
    ['azure-arc', 'reserved', 'azure-* namespaces'],
    ['cert-manager', 'reserved', 'cert-manager runs in cert-manager'],
    ['ingress-nginx', 'reserved', 'ingress-nginx'],
    ['gitops-root', 'reserved', 'gitops-root-<environment>'],
  ])('refuses %j: %s', (name, rule, message) => {
    const problems = checkName(name, 'service', { environments });
    expect(problems.map(p => p.rule)).toContain(rule);
    expect(problems.find(p => p.rule === rule)!.message).toContain(message);
  });

  it('says which object, which rule and a valid name in one sentence', () => {
    expect(checkName('1payments', 'service', { environments })).toEqual([
      {
        rule: 'dns-1035',
        objects: ['Kubernetes Service'],
        message:
          'Service name "1payments" starts with a digit; it is also the name of the Kubernetes Service, a DNS-1035 label, ' +
          'which must start with a letter (ArgoCD\'s sync would fail on it). For example "svc-1payments".',
      },
    ]);
    expect(checkName('kube-system', 'service')[0].message).toContain(
      "the service's overlay would declare that Namespace with the service's pod-security labels and NetworkPolicies, and ArgoCD would take it over",
    );
  });

  it('suggests only names it accepts itself', () => {
    for (const name of [
      'Payments_API',
      '1api',
      'default',
      'kube-system',
      'a'.repeat(70),
      '-x-',
      'team/a..b',
    ]) {
      const [problem] = checkName(name, 'service', { environments });
      const example = problem.message.match(/For example "([^"]+)"\.$/)![1];
      expect(checkName(example, 'service', { environments })).toEqual([]);
    }
  });

  it('bounds the Application name by the longest configured environment, and only by configured ones', () => {
    const name = 'a'.repeat(56);
    expect(rules(name, 'service', { environments: ['dev', 'prod'] })).toEqual(
      [],
    );
    expect(
      rules(name, 'service', { environments: ['dev', 'production'] }),
    ).toEqual(['application-length']);
    expect(checkName('a'.repeat(55), 'service', { environments })).toEqual([]);
  });

  it('refuses names reserved in configuration on top of the defaults', () => {
    const context = readNamingContext(
      new ConfigReader({
        gitops: {
          reservedNames: ['legacy-billing', 'team-x-*'],
          argocdNamespace: 'gitops',
          ingress: { controllerNamespace: 'edge' },
        },
      }),
    );
    expect(rules('legacy-billing', 'service', context)).toEqual(['reserved']);
    expect(checkName('team-x-api', 'service', context)[0].message).toContain(
      '(gitops.reservedNames)',
    );
    expect(checkName('gitops', 'service', context)[0].message).toContain(
      'ArgoCD runs in gitops',
    );
    expect(rules('edge', 'service', context)).toEqual(['reserved']);
    expect(rules('kube-system', 'service', context)).toEqual(['reserved']);
    expect(rules('legacy-billing', 'service')).toEqual([]);
  });

  it('reads the environments from gitops.environments, and the defaults when there are none', () => {
    expect(readNamingContext(new ConfigReader({})).environments).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    expect(
      readNamingContext(
        new ConfigReader({
          gitops: { environments: [{ name: 'qa', cluster: 'aks-qa' }] },
        }),
      ).environments,
    ).toEqual(['qa']);
  });

  it('accepts ordinary names', () => {
    for (const name of [
      'payments-api',
      'a',
      'api2',
      'kubernetes-dashboard',
      'argocd-notifier',
      'my-default',
    ]) {
      expect(checkName(name, 'service', { environments })).toEqual([]);
    }
  });
});

describe('checkName for a team, which names its ArgoCD AppProject', () => {
  it.each([
    ['Payments', 'lowercase'],
    ['payments_team', 'characters'],
    ['default', 'reserved'],
  ])('refuses %j: %s', (name, rule) => {
    const problems = checkName(name, 'team');
    expect(problems.map(p => p.rule)).toContain(rule);
    expect(problems[0].message).toMatch(
      /^Team name ".*" .*AppProject.* For example "[a-z0-9.-]+"\.$/,
    );
  });

  it('accepts the names Backstage groups have', () => {
    expect(checkName('payments-team', 'team')).toEqual([]);
    expect(checkName('org.payments', 'team')).toEqual([]);
  });
});

describe('checkName for a resource', () => {
  it.each([
    [
      'Orders',
      'Database',
      'lowercase',
      'the Crossplane Database and its connection Secret take lowercase letters only',
    ],
    ['orders_db', 'Database', 'characters', 'contains "_"'],
    ['orders.db', 'Database', 'characters', 'contains "."'],
    ['-orders', 'Database', 'edges', 'starts with "-"'],
    ['o'.repeat(64), 'Database', 'length', 'the label crossplane.io/composite'],
    [
      '1orders',
      'Database',
      'env-prefix',
      'environment variables (1ORDERS_HOST)',
    ],
    // The first 24 characters end in "--": one hyphen is trimmed, one is left at the end.
    [
      'abcdefghijklmnopqrstuv--x',
      'Database',
      'azure-psql',
      'becomes the Azure Database for PostgreSQL flexible server "psql-<uid>-abcdefghijklmnopqrstuv-"',
    ],
    [
      'orders--cache',
      'Cache',
      'azure-redis',
      'Azure Cache for Redis "redis-<uid>-orders--cache"',
    ],
    ['orders-sb', 'Queue', 'azure-sb', 'must not end with "-sb" or "-mgmt"'],
    ['orders-mgmt', 'Queue', 'azure-sb', 'must not end with "-sb" or "-mgmt"'],
    [
      'abcdefghijklmnopqrstuv--x',
      'DocumentDatabase',
      'azure-cosmos',
      'Azure Cosmos DB account "cosmos-<uid>-abcdefghijklmnopqrstuv-"',
    ],
    [
      'microsoft-docs',
      'DocumentDatabase',
      'azure-cosmos',
      'must not contain "microsoft" (a word Azure reserves)',
    ],
    ['windows-cache', 'Cache', 'azure-redis', 'must not contain "windows"'],
  ])('refuses %j as a %s: %s', (name, kind, rule, message) => {
    const problems = checkName(name, 'resource', { kind: kind as any });
    expect(problems.map(p => p.rule)).toContain(rule);
    expect(problems.find(p => p.rule === rule)!.message).toContain(message);
  });

  it('checks a name against its own kind only', () => {
    expect(rules('orders--cache', 'resource', { kind: 'Database' })).toEqual(
      [],
    );
    expect(rules('orders-sb', 'resource', { kind: 'Cache' })).toEqual([]);
    expect(rules('orders--cache', 'resource')).toEqual(['azure-redis']);
  });

  it('accepts a 63-character name: the Compositions keep only the first 24 characters', () => {
    const name = `${'orders-'.repeat(8)}${'x'.repeat(7)}`;
    expect(name).toHaveLength(63);
    for (const kind of [
      'Database',
      'Cache',
      'Queue',
      'DocumentDatabase',
    ] as const) {
      expect(checkName(name, 'resource', { kind })).toEqual([]);
    }
  });

  it('is not the service rules: a resource may be called default', () => {
    expect(checkName('default', 'resource', { kind: 'Database' })).toEqual([]);
  });
});

describe('the Azure names', () => {
  it('are derived as the Composition does: prefix, 8 characters of the uid, 24 of the name, one trailing "-" trimmed', () => {
    const uid = '3f2a9c1e-5b7d-4e2a-9c1e-5b7d4e2a9c1e';
    expect(azureNameOf('psql', 'orders-db', uid)).toBe(
      'psql-3f2a9c1e-orders-db',
    );
    expect(azureNameOf('redis', 'abcdefghijklmnopqrstuvw-xyz', uid)).toBe(
      'redis-3f2a9c1e-abcdefghijklmnopqrstuvw',
    );
    expect(azureNameOf('sb', 'abcdefghijklmnopqrstuv--x', uid)).toBe(
      'sb-3f2a9c1e-abcdefghijklmnopqrstuv-',
    );
  });

  // The Compositions are where the names are made; this keeps the rules above in step with them.
  it.each(['v1', 'v2'])(
    'use the formats of the %s Compositions in platform/crossplane',
    version => {
      const dir = path.resolve(
        __dirname,
        '../../../platform/crossplane',
        version,
        'compositions',
      );
      const formatsByKind: Record<string, string[]> = {};
      for (const file of fs.readdirSync(dir)) {
        const [composition] = parseAllDocuments(
          fs.readFileSync(path.join(dir, file), 'utf8'),
        ).map(d => d.toJS());
        const kind = composition.spec.compositeTypeRef.kind.replace(/^X/, '');
        const resources = composition.spec.pipeline[0].input.resources;
        formatsByKind[kind] = resources
          .flatMap((r: any) => r.patches ?? [])
          .filter(
            (p: any) =>
              p.toFieldPath ===
                'metadata.annotations[crossplane.io/external-name]' &&
              p.combine,
          )
          .map((p: any) => {
            expect(p.transforms).toEqual([
              { type: 'string', string: { type: 'TrimSuffix', trim: '-' } },
            ]);
            expect(
              p.combine.variables.map((v: any) => v.fromFieldPath),
            ).toEqual(['metadata.uid', 'metadata.name']);
            return p.combine.string.fmt;
          })
          .sort();
      }
      const expected = Object.fromEntries(
        Object.entries(AZURE_NAME_TARGETS).map(([kind, targets]) => [
          kind,
          targets
            .filter(t => t.prefix)
            .map(t => `${t.prefix}-%.8s-%.24s`)
            .sort(),
        ]),
      );
      expect(formatsByKind).toEqual(expected);
    },
  );
});

describe('checkServiceRequestNames', () => {
  it('checks the service, the team and every resource for its kind, and resources named twice', () => {
    const problems = checkServiceRequestNames(
      {
        name: '1payments',
        owner: 'group:default/Payments_Team',
        resources: [
          { kind: 'Cache', name: 'sessions--cache', size: 'small' },
          { kind: 'Database', name: 'ledger', size: 'small' },
          { kind: 'Queue', name: 'ledger', size: 'small' },
        ],
      },
      { environments },
    );
    expect(problems.map(p => p.rule)).toEqual([
      'dns-1035',
      'lowercase',
      'characters',
      'azure-redis',
      'duplicate',
    ]);
    expect(problems[4].message).toContain(
      'Resource name "ledger" is given twice',
    );
  });
});

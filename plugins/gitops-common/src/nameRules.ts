import {
  DEFAULT_ENVIRONMENTS,
  ResourceKind,
} from '@internal/plugin-platform-common';
import { envPrefix as envPrefixOf } from './names';

/**
 * What a name typed into a golden path becomes, and the rules of each of those
 * objects. One function, {@link checkName}, is used by the form field, the
 * actions' input schemas and the actions before any side effect, so a name the
 * page accepts is a name the cluster, ArgoCD and Azure accept.
 */

/** What a name is the name of. */
export type NameRole = 'service' | 'resource' | 'team';

/** A name the platform keeps for itself: exact, or a prefix followed by `*` (`kube-*`). */
export type ReservedName = {
  pattern: string;
  why: string;
  /** What the name would collide with; a Kubernetes Namespace when not given. */
  object?: string;
};

export type NameContext = {
  /** The configured environments; the longest bounds the ArgoCD Application `<service>-<env>`. */
  environments?: readonly string[];
  /** Reserved on top of {@link DEFAULT_RESERVED_NAMES} (from `gitops.reservedNames` and the platform's own namespaces). */
  reserved?: readonly ReservedName[];
  /** A resource's Crossplane kind; decides which Azure names it becomes. Every kind when not given. */
  kind?: ResourceKind;
};

export type NameProblem = {
  /** Stable id of the broken rule, e.g. `dns-1035` or `azure-redis`. */
  rule: string;
  /** The objects that cannot carry the name. */
  objects: string[];
  /** A sentence for the developer: the name, the object, the rule and a valid name. */
  message: string;
};

const MAX_LABEL = 63;
/** The Compositions keep this many characters of the resource name in Azure names. */
const AZURE_NAME_PART = 24;

const TAKEOVER =
  "the service's overlay would declare that Namespace with the service's pod-security labels and NetworkPolicies, and ArgoCD would take it over";

/** Names no service may have: the clusters' system namespaces and the names the platform uses. */
export const DEFAULT_RESERVED_NAMES: readonly ReservedName[] = [
  {
    pattern: 'default',
    why: `"default" is the namespace every Kubernetes cluster has; ${TAKEOVER}`,
  },
  {
    pattern: 'kube-*',
    why: `Kubernetes keeps the kube- prefix for its system namespaces (kube-system, kube-public, kube-node-lease); ${TAKEOVER}`,
  },
  {
    pattern: 'azure-*',
    why: `AKS and its extensions install into azure-* namespaces; ${TAKEOVER}`,
  },
  {
    pattern: 'aks-*',
    why: `AKS add-ons install into aks-* namespaces (aks-istio-system, aks-command); ${TAKEOVER}`,
  },
  {
    pattern: 'gatekeeper-system',
    why: `Azure Policy for AKS runs Gatekeeper in gatekeeper-system; ${TAKEOVER}`,
  },
  {
    pattern: 'app-routing-system',
    why: `the AKS application routing add-on (the ingress controller) runs in app-routing-system; ${TAKEOVER}`,
  },
  {
    pattern: 'calico-system',
    why: `Calico network policy on AKS runs in calico-system; ${TAKEOVER}`,
  },
  {
    pattern: 'tigera-operator',
    why: `the Calico operator on AKS runs in tigera-operator; ${TAKEOVER}`,
  },
  { pattern: 'argocd', why: `ArgoCD runs in argocd; ${TAKEOVER}` },
  {
    pattern: 'crossplane-system',
    why: `Crossplane and its Azure providers run in crossplane-system; ${TAKEOVER}`,
  },
  {
    pattern: 'cert-manager',
    why: `cert-manager runs in cert-manager; ${TAKEOVER}`,
  },
  {
    pattern: 'ingress-nginx',
    why: `the NGINX ingress controller runs in ingress-nginx; ${TAKEOVER}`,
  },
  { pattern: 'istio-system', why: `Istio runs in istio-system; ${TAKEOVER}` },
  {
    pattern: 'gitops-root',
    why: "the platform's root ArgoCD Applications are named gitops-root-<environment> (platform/argocd/root), and this service's Applications would have the same names",
    object: 'ArgoCD Application',
  },
];

/** ArgoCD's own project: the root Applications use it, and a team project file of that name would replace it. */
const RESERVED_TEAM_NAMES: readonly ReservedName[] = [
  {
    pattern: 'default',
    why: "\"default\" is ArgoCD's built-in AppProject, which the platform's root Applications use; the team's project file argocd/projects/default.yaml would replace it",
    object: 'ArgoCD AppProject',
  },
];

/**
 * Where each Composition (platform/crossplane/{v1,v2}/compositions) derives an Azure name from a
 * resource's name: `<prefix>-%.8s-%.24s` of the XR's uid and name, then TrimSuffix "-". The uid
 * keeps the globally unique names (servers, caches, namespaces, accounts) apart across clusters,
 * environments and namespaces. Rules: learn.microsoft.com, "Naming rules and restrictions for
 * Azure resources", and "Resolve errors for reserved resource names".
 */
type AzureTarget = {
  object: string;
  prefix?: string;
  min: number;
  max: number;
  characters: RegExp;
  charactersText: string;
  first?: { test: RegExp; text: string };
  last?: { test: RegExp; text: string };
  noDoubleHyphen?: boolean;
  forbiddenEndings?: string[];
  /** Public endpoint: Azure refuses reserved words in the name. */
  publicEndpoint?: boolean;
};

const RESOURCE_GROUP: AzureTarget = {
  object: 'Azure resource group',
  prefix: 'rg',
  min: 1,
  max: 90,
  characters: /^[-\w.()]+$/,
  charactersText: 'letters, digits, "_", "-", "." and parentheses',
  last: { test: /[^.]$/, text: 'must not end with "."' },
};

const ALNUM_LAST = {
  test: /[a-z0-9]$/i,
  text: 'must end with a letter or digit',
};

export const AZURE_NAME_TARGETS: Record<ResourceKind, readonly AzureTarget[]> =
  {
    Database: [
      RESOURCE_GROUP,
      {
        object: 'Azure Database for PostgreSQL flexible server',
        prefix: 'psql',
        min: 3,
        max: 63,
        characters: /^[a-z0-9-]+$/,
        charactersText: 'lowercase letters, digits and "-"',
        first: { test: /^[a-z0-9]/, text: 'must start with a letter or digit' },
        last: ALNUM_LAST,
        publicEndpoint: true,
      },
    ],
    Cache: [
      RESOURCE_GROUP,
      {
        object: 'Azure Cache for Redis',
        prefix: 'redis',
        min: 1,
        max: 63,
        characters: /^[a-z0-9-]+$/i,
        charactersText: 'letters, digits and "-"',
        first: {
          test: /^[a-z0-9]/i,
          text: 'must start with a letter or digit',
        },
        last: ALNUM_LAST,
        noDoubleHyphen: true,
        publicEndpoint: true,
      },
    ],
    Queue: [
      RESOURCE_GROUP,
      {
        object: 'Azure Service Bus namespace',
        prefix: 'sb',
        min: 6,
        max: 50,
        characters: /^[a-z0-9-]+$/i,
        charactersText: 'letters, digits and "-"',
        first: { test: /^[a-z]/i, text: 'must start with a letter' },
        last: ALNUM_LAST,
        // Service Bus REST API, "Create Namespace": the name doesn't end with "-", "-sb" or "-mgmt".
        forbiddenEndings: ['-sb', '-mgmt'],
        publicEndpoint: true,
      },
      {
        // The queue carries the resource's whole name (no prefix): that is the queueName apps receive.
        object: 'Azure Service Bus queue',
        min: 1,
        max: 260,
        characters: /^[a-z0-9._/-]+$/i,
        charactersText: 'letters, digits, ".", "-", "_" and "/"',
        first: {
          test: /^[a-z0-9]/i,
          text: 'must start with a letter or digit',
        },
        last: ALNUM_LAST,
      },
    ],
    DocumentDatabase: [
      RESOURCE_GROUP,
      {
        object: 'Azure Cosmos DB account',
        prefix: 'cosmos',
        min: 3,
        max: 44,
        characters: /^[a-z0-9-]+$/,
        charactersText: 'lowercase letters, digits and "-"',
        first: {
          test: /^[a-z0-9]/,
          text: 'must start with a lowercase letter or digit',
        },
        last: ALNUM_LAST,
        publicEndpoint: true,
      },
    ],
  };

/** Azure refuses these anywhere in a name with a public endpoint (ReservedResourceName). */
const AZURE_RESERVED_SUBSTRINGS = ['microsoft', 'windows'];

/**
 * The Azure name a Composition derives: `<prefix>-%.8s-%.24s` of the XR's uid and name, then
 * TrimSuffix "-" (which drops one hyphen). The uid is hex, so a stand-in of eight hex digits
 * decides validity exactly as the real one would.
 */
export function azureNameOf(
  prefix: string,
  resourceName: string,
  uid = '00000000',
): string {
  const name = `${prefix}-${uid.slice(0, 8)}-${resourceName.slice(
    0,
    AZURE_NAME_PART,
  )}`;
  return name.endsWith('-') ? name.slice(0, -1) : name;
}

const EXAMPLES: Record<NameRole, string> = {
  service: 'payments-api',
  resource: 'orders-db',
  team: 'payments-team',
};
const RESOURCE_EXAMPLES: Record<ResourceKind, string> = {
  Database: 'orders-db',
  Cache: 'orders-cache',
  Queue: 'orders-queue',
  DocumentDatabase: 'orders-docs',
};

/** Put in front of a name that starts with a digit; a resource takes its kind's word (db, cache). */
const DIGIT_PREFIX: Partial<Record<NameRole, string>> = {
  service: 'svc',
  team: 'team',
};

const SUBJECT: Record<NameRole, string> = {
  service: 'Service name',
  resource: 'Resource name',
  team: 'Team name',
};

function matches(name: string, pattern: string) {
  return pattern.endsWith('*')
    ? name.startsWith(pattern.slice(0, -1))
    : name === pattern;
}

function list(items: readonly string[], conjunction = 'and') {
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} ${conjunction} ${
        items[items.length - 1]
      }`;
}

const quoteList = (items: readonly string[], conjunction = 'and') =>
  list(
    items.map(i => `"${i}"`),
    conjunction,
  );

/** "X takes" or "X and Y take". */
function take(objects: string[]) {
  const plural = objects.length > 1 || objects[0].includes(' and ');
  return `${list(objects)} ${plural ? 'take' : 'takes'}`;
}

type Finding = { rule: string; objects: string[]; says: string };

/** Which objects each DNS rule protects; a rule without objects does not apply. */
type LabelObjects = {
  length?: string[];
  lowercase?: string[];
  characters?: string[];
  edges?: string[];
};

/** DNS-1123 label (or subdomain, which also takes "."): what every Kubernetes name we write must be. */
function labelRules(
  name: string,
  objects: LabelObjects,
  subdomain = false,
): Finding[] {
  const findings: Finding[] = [];
  if (objects.length && name.length > MAX_LABEL) {
    findings.push({
      rule: 'length',
      objects: objects.length,
      says: `has ${name.length} characters; ${take(
        objects.length,
      )} at most ${MAX_LABEL}`,
    });
  }
  if (objects.lowercase && /[A-Z]/.test(name)) {
    findings.push({
      rule: 'lowercase',
      objects: objects.lowercase,
      says: `has capital letters; ${take(
        objects.lowercase,
      )} lowercase letters only`,
    });
  }
  const allowed = subdomain ? /[a-z0-9.-]/i : /[a-z0-9-]/i;
  const bad = [...new Set([...name].filter(c => !allowed.test(c)))];
  if (objects.characters && bad.length > 0) {
    const paths =
      name.includes('/') || name.includes('..')
        ? ', and "/" or ".." would change the paths it names in the GitOps repository'
        : '';
    findings.push({
      rule: 'characters',
      objects: objects.characters,
      says: `contains ${quoteList(bad)}; ${take(
        objects.characters,
      )} only lowercase letters, digits${
        subdomain ? ', "." and "-"' : ' and "-"'
      }${paths}`,
    });
  }
  if (objects.edges) {
    const first = name[0];
    const last = name[name.length - 1];
    let edge: string | undefined;
    if (!/[a-z0-9]/i.test(first)) edge = `starts with "${first}"`;
    else if (!/[a-z0-9]/i.test(last)) edge = `ends with "${last}"`;
    if (edge) {
      findings.push({
        rule: 'edges',
        objects: objects.edges,
        says: `${edge}; ${list(
          objects.edges,
        )} start and end with a letter or digit`,
      });
    }
  }
  return findings;
}

function reservedFinding(
  name: string,
  reserved: readonly ReservedName[],
): Finding | undefined {
  const hit = reserved.find(r => matches(name.toLowerCase(), r.pattern));
  return (
    hit && {
      rule: 'reserved',
      objects: [hit.object ?? 'Kubernetes Namespace'],
      says: `is reserved: ${hit.why}`,
    }
  );
}

function serviceFindings(name: string, context: NameContext): Finding[] {
  const findings = labelRules(name, {
    length: [
      'the Kubernetes Namespace and Service',
      "the Deployment's container",
      'label values such as app.kubernetes.io/name',
    ],
    lowercase: [
      'the Kubernetes Namespace, Service, Deployment and ServiceAccount',
    ],
    characters: [
      'the Kubernetes Namespace, Service, Deployment and ServiceAccount',
    ],
    edges: ['the Kubernetes Namespace and Service', 'label values'],
  });
  if (name.includes('--')) {
    findings.push({
      rule: 'preview-separator',
      objects: ['Kubernetes Namespace of a preview environment'],
      says: 'contains "--", which the platform keeps to separate a service from its preview environments (their namespaces are <service>--<preview>)',
    });
  }
  if (/^[0-9]/.test(name)) {
    findings.push({
      rule: 'dns-1035',
      objects: ['Kubernetes Service'],
      says: "starts with a digit; it is also the name of the Kubernetes Service, a DNS-1035 label, which must start with a letter (ArgoCD's sync would fail on it)",
    });
  }
  const environments = context.environments ?? [];
  if (name.length <= MAX_LABEL && environments.length > 0) {
    const longest = environments.reduce((a, b) =>
      b.length > a.length ? b : a,
    );
    const application = `${name}-${longest}`;
    if (application.length > MAX_LABEL) {
      findings.push({
        rule: 'application-length',
        objects: ['ArgoCD Application'],
        says:
          `makes the ArgoCD Application "${application}" (${application.length} characters) in ${longest}; ` +
          `Application names stay within ${MAX_LABEL} characters because ArgoCD writes them into labels, ` +
          `so with the environments ${list([
            ...environments,
          ])} a service name has at most ${MAX_LABEL - 1 - longest.length}`,
      });
    }
  }
  const reserved = reservedFinding(name, [
    ...DEFAULT_RESERVED_NAMES,
    ...(context.reserved ?? []),
  ]);
  if (reserved) findings.push(reserved);
  return findings;
}

function teamFindings(name: string): Finding[] {
  // Backstage keeps entity names within 63 characters; the AppProject is a DNS-1123 subdomain.
  const project = ["the team's ArgoCD AppProject"];
  const findings = labelRules(
    name,
    { lowercase: project, characters: project, edges: project },
    true,
  );
  const reserved = reservedFinding(name, RESERVED_TEAM_NAMES);
  if (reserved) findings.push(reserved);
  return findings;
}

function azureFindings(name: string, kind: ResourceKind): Finding[] {
  const findings: Finding[] = [];
  for (const target of AZURE_NAME_TARGETS[kind]) {
    const derived = target.prefix ? azureNameOf(target.prefix, name) : name;
    const broken: string[] = [];
    if (derived.length < target.min || derived.length > target.max) {
      broken.push(
        `must have ${target.min}-${target.max} characters (it would have ${derived.length})`,
      );
    }
    if (!target.characters.test(derived))
      broken.push(`may contain only ${target.charactersText}`);
    if (target.first && !target.first.test.test(derived))
      broken.push(target.first.text);
    if (target.last && !target.last.test.test(derived))
      broken.push(target.last.text);
    if (target.noDoubleHyphen && derived.includes('--'))
      broken.push('must not contain "--"');
    if (target.forbiddenEndings?.some(e => derived.endsWith(e))) {
      broken.push(
        `must not end with ${quoteList(target.forbiddenEndings, 'or')}`,
      );
    }
    if (target.publicEndpoint) {
      const word = AZURE_RESERVED_SUBSTRINGS.find(w =>
        derived.toLowerCase().includes(w),
      );
      if (word)
        broken.push(`must not contain "${word}" (a word Azure reserves)`);
    }
    if (broken.length === 0) continue;
    const shown = target.prefix
      ? derived.replace(/^([a-z]+)-0{8}/, '$1-<uid>')
      : derived;
    const cut = target.prefix
      ? ` (the Composition puts the resource's Kubernetes uid and its first ${AZURE_NAME_PART} characters into it)`
      : '';
    findings.push({
      rule: `azure-${target.prefix ?? 'queue'}`,
      objects: [target.object],
      says: `becomes the ${target.object} "${shown}"${cut}, which ${list(
        broken,
      )}`,
    });
  }
  return findings;
}

function resourceFindings(name: string, context: NameContext): Finding[] {
  const kinds = context.kind
    ? [context.kind]
    : (Object.keys(AZURE_NAME_TARGETS) as ResourceKind[]);
  const crossplane = `the Crossplane ${context.kind ?? 'resource'}`;
  const findings = labelRules(name, {
    length: [
      crossplane,
      'the label crossplane.io/composite Crossplane puts on what it composes',
    ],
    lowercase: [`${crossplane} and its connection Secret`],
    characters: [`${crossplane} and its connection Secret`],
    edges: [`${crossplane} and its connection Secret`],
  });
  if (/^[0-9]/.test(name)) {
    findings.push({
      rule: 'env-prefix',
      objects: ['environment variable prefix'],
      says:
        `starts with a digit; it becomes the prefix of the workload's environment variables (${envPrefixOf(
          name,
        )}HOST), ` +
        'and an environment variable name that starts with a digit is refused by Kubernetes before 1.32 and cannot be read by a shell',
    });
  }
  // Azure names only say something useful about a name Kubernetes takes.
  if (findings.length === 0) {
    for (const kind of kinds) findings.push(...azureFindings(name, kind));
  }
  return findings;
}

function findingsOf(
  name: string,
  role: NameRole,
  context: NameContext,
): Finding[] {
  if (name.length === 0)
    return [{ rule: 'empty', objects: [], says: 'is empty' }];
  switch (role) {
    case 'service':
      return serviceFindings(name, context);
    case 'team':
      return teamFindings(name);
    default:
      return resourceFindings(name, context);
  }
}

/** A valid name close to the one given, or the role's example. */
function exampleFor(
  name: string,
  role: NameRole,
  context: NameContext,
): string {
  const fallback =
    role === 'resource' && context.kind
      ? RESOURCE_EXAMPLES[context.kind]
      : EXAMPLES[role];
  let max = MAX_LABEL;
  if (role === 'service' && context.environments?.length) {
    max -= 1 + Math.max(...context.environments.map(e => e.length));
  }
  let candidate = name
    .toLowerCase()
    .replace(role === 'team' ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (/^[0-9]/.test(candidate))
    candidate = `${DIGIT_PREFIX[role] ?? fallback.split('-')[1]}-${candidate}`;
  candidate = candidate.slice(0, max).replace(/[-.]+$/, '');
  if (
    candidate &&
    findingsOf(candidate, role, context).some(f => f.rule === 'reserved')
  ) {
    candidate = `${candidate.slice(0, max - 4)}-app`;
  }
  if (
    candidate &&
    candidate !== name &&
    findingsOf(candidate, role, context).length === 0
  ) {
    return candidate;
  }
  return fallback;
}

/**
 * Whether `name` is valid for every object it becomes, as a service, a resource (of
 * `context.kind`, or of any kind) or a team; one problem per broken rule, each naming the
 * object, the rule and a valid name. Empty when the name is fine.
 */
export function checkName(
  name: string,
  role: NameRole,
  context: NameContext = {},
): NameProblem[] {
  const findings = findingsOf(name, role, context);
  if (findings.length === 0) return [];
  const example = exampleFor(name, role, context);
  const subject = SUBJECT[role];
  return findings.map(f => ({
    rule: f.rule,
    objects: f.objects,
    message:
      f.rule === 'empty'
        ? `${subject} is empty; for example "${example}".`
        : `${subject} "${name}" ${f.says}. For example "${example}".`,
  }));
}

/** The subset of Backstage's Config (backend) and ConfigApi (frontend) the naming context reads. */
export type NamingConfigReader = {
  getOptionalString(key: string): string | undefined;
  getOptionalStringArray(key: string): string[] | undefined;
  getOptionalConfigArray(
    key: string,
  ): Array<{ getString(key: string): string }> | undefined;
};

/**
 * The naming context from configuration, the same on both sides: the environment names
 * (`gitops.environments`), `gitops.reservedNames` and the namespaces the platform's ArgoCD and
 * ingress controller run in. Configured names add to the defaults; they never remove one.
 */
export function readNamingContext(config: NamingConfigReader): NameContext {
  const environments =
    config
      .getOptionalConfigArray('gitops.environments')
      ?.map(e => e.getString('name')) ?? DEFAULT_ENVIRONMENTS.map(e => e.name);
  const reserved: ReservedName[] = (
    config.getOptionalStringArray('gitops.reservedNames') ?? []
  ).map(pattern => ({
    pattern,
    why: 'the platform team keeps it for the platform (gitops.reservedNames)',
  }));
  const argocd = config.getOptionalString('gitops.argocdNamespace');
  if (argocd)
    reserved.push({
      pattern: argocd,
      why: `ArgoCD runs in ${argocd}; ${TAKEOVER}`,
    });
  const ingress = config.getOptionalString(
    'gitops.ingress.controllerNamespace',
  );
  if (ingress) {
    reserved.push({
      pattern: ingress,
      why: `the ingress controller runs in ${ingress}; ${TAKEOVER}`,
    });
  }
  return { environments, reserved };
}

import { ApiException } from '@kubernetes/client-node';
import {
  CrossplaneResourceInput,
  PodSummary,
  SourceFailure,
} from '@internal/plugin-health-common';
import {
  ARGOCD_API_VERSION,
  ARGOCD_KINDS,
  CROSSPLANE_API_VERSION,
  CROSSPLANE_GROUP,
  CROSSPLANE_KINDS,
  KUBERNETES_ID_LABEL,
} from '@internal/plugin-platform-common';
import { ClusterConfig } from '../config';
import { ClusterTokenError } from './clusterTokens';
import {
  KubernetesConnection,
  KubernetesConnections,
} from './KubernetesConnections';
import { PodListSummarizer } from './PodListSummarizer';
import type { PodWatches } from './PodWatch';


// The API server answers with metadata alone, so the secret's data never leaves the cluster.
const METADATA_ONLY =
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const METADATA_LIST_ONLY =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO/;

const READ_ACCESS_HINT = `grant it read access (e.g. a ClusterRole with get/list on pods, applications, the ${CROSSPLANE_GROUP} kinds)`;

/** How long a kind a cluster answered 404 for is taken as not installed there. */
const ABSENT_KIND_TTL_MS = 60_000;

/**
 * Kinds a cluster answered 404 for: their CRD is not installed there (ArgoCD lives in a hub
 * cluster, an XRD is not installed everywhere). They are not listed again for a minute, as
 * kubectl and ArgoCD cache API discovery: otherwise every read pays a round trip for them.
 */
export class AbsentKinds {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  has(cluster: ClusterConfig, path: string): boolean {
    const key = kindKey(cluster, path);
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(key);
    return false;
  }

  add(cluster: ClusterConfig, path: string) {
    this.until.set(kindKey(cluster, path), this.now() + ABSENT_KIND_TTL_MS);
  }
}

function kindKey(cluster: ClusterConfig, path: string): string {
  return `${cluster.name}\0${cluster.url}\0${path}`;
}

/** What one cluster told about one component. A field left undefined could not be read. */
export type ClusterReading = {
  cluster: ClusterConfig;
  /** summarizePods of the component's pods, made as they arrive; the pods are not kept. */
  podSummary?: PodSummary;
  applications?: unknown[];
  /** The Crossplane resources of the kinds that could be listed. */
  crossplane?: CrossplaneResourceInput[];
  failures: SourceFailure[];
  /** At least one source was read; false when the cluster gave nothing at all. */
  succeeded: boolean;
};

export type ReadClusterOptions = {
  cluster: ClusterConfig;
  /** Value of the backstage.io/kubernetes-id label; must be a valid label value. */
  kubernetesId: string;
  /**
   * Where the component's connection secrets usually are (the golden paths put everything
   * in one namespace). Their names there are listed alongside the other reads, so only
   * secrets elsewhere cost a second round trip.
   */
  namespace: string;
  /** For "recently started" pods. */
  now: Date;
  /** Kept-alive connections, one per cluster and identity. */
  connections: KubernetesConnections;
  /** Fetches and parses pod lists, on its threads when it has any. */
  podLists: PodListSummarizer;
  /** Kinds recently found not installed: not listed again for a while. */
  absentKinds?: AbsentKinds;
  /** Pods kept from a watch; when they are in sync no pod list is made. */
  podWatches?: PodWatches;
  getToken: () => Promise<string>;
  timeoutMs: number;
};

type Source = {
  /** Named in failures: "ArgoCD Applications in cluster aks-dev". */
  label: string;
  /** For the 403 message: "list ArgoCD Applications". */
  action: string;
  /** What to grant on 403; READ_ACCESS_HINT when absent. */
  grant?: string;
};

type SourceError = { source: Source; error: unknown };

/**
 * What answered so far. Closed at the deadline: requests aborted then, or answering later,
 * change nothing, and the sources still pending are the ones that timed out.
 */
class Progress {
  podSummary?: PodSummary;
  applications?: unknown[];
  readonly crossplane = new Map<string, unknown[]>();
  readonly secrets = new Map<string, boolean>();
  readonly errors: SourceError[] = [];
  /** Requests in flight per source label. */
  readonly pending = new Map<string, { source: Source; count: number }>();
  succeeded = false;
  closed = false;

  /** Runs one request; `store` is called with its result unless the deadline has passed. */
  async track<T>(
    source: Source,
    run: () => Promise<T>,
    store: (value: T) => void,
  ): Promise<void> {
    try {
      const value = await this.pendingWhile(source, run());
      if (this.closed) return;
      this.succeeded = true;
      store(value);
    } catch (error) {
      if (this.closed) return;
      this.fail(source, error);
    }
  }

  /** Counts `request` as pending for `source` until it settles: a timeout names it. */
  async pendingWhile<T>(source: Source, request: Promise<T>): Promise<T> {
    const entry = this.pending.get(source.label) ?? { source, count: 0 };
    entry.count += 1;
    this.pending.set(source.label, entry);
    try {
      return await request;
    } finally {
      if (!this.closed) {
        entry.count -= 1;
        if (entry.count === 0) this.pending.delete(source.label);
      }
    }
  }

  fail(source: Source, error: unknown) {
    // One failure per source: the secrets of one cluster fail for the same reason.
    if (!this.errors.some(e => e.source.label === source.label)) {
      this.errors.push({ source, error });
    }
  }
}

/**
 * Reads pods, ArgoCD Applications, Crossplane resources and the existence of their connection
 * secrets from one cluster, all within `timeoutMs`. Never throws: whatever could not be read
 * becomes a SourceFailure that names the cluster and says what to do.
 */
export async function readCluster(
  options: ReadClusterOptions,
): Promise<ClusterReading> {
  const { cluster, timeoutMs } = options;
  const progress = new Progress();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>(resolve => {
    timer = setTimeout(() => {
      progress.closed = true;
      controller.abort();
      resolve('timeout');
    }, timeoutMs);
  });

  let tokenError: unknown;
  let gotToken = false;
  const work = (async () => {
    let token: string;
    try {
      token = await options.getToken();
      gotToken = true;
    } catch (error) {
      tokenError = error;
      return;
    }
    if (!progress.closed) {
      await readAll(options, token, controller.signal, progress);
    }
  })();

  const outcome = await Promise.race([
    work.then(() => 'done' as const),
    deadline,
  ]);
  clearTimeout(timer);
  progress.closed = true;

  if (outcome === 'timeout' && !gotToken) {
    return {
      cluster,
      failures: [
        {
          source: clusterSource(cluster),
          message: `no token for cluster ${
            cluster.name
          } within ${timeoutMs} ms — ${
            cluster.authProvider === 'azure'
              ? "check the backend's Azure identity (workload identity, managed identity or azure.credentials) and its network path to Entra ID"
              : 'check where the token comes from'
          }`,
        },
      ],
      succeeded: false,
    };
  }
  if (tokenError !== undefined) {
    return {
      cluster,
      failures: [
        {
          source: clusterSource(cluster),
          message:
            tokenError instanceof ClusterTokenError
              ? tokenError.message
              : `no token for cluster ${cluster.name}: ${messageOf(
                  tokenError,
                )}`,
          ...(tokenError instanceof ClusterTokenError && tokenError.signIn
            ? { signIn: tokenError.signIn }
            : {}),
        },
      ],
      succeeded: false,
    };
  }
  return assemble(
    cluster,
    progress,
    outcome === 'timeout' ? timeoutMs : undefined,
  );
}

async function readAll(
  options: ReadClusterOptions,
  token: string,
  signal: AbortSignal,
  progress: Progress,
): Promise<void> {
  const { cluster, kubernetesId, namespace, now, podLists } = options;
  const connection = options.connections.for(cluster, token);
  const labelSelector = `${KUBERNETES_ID_LABEL}=${kubernetesId}`;
  const selector = `labelSelector=${encodeURIComponent(labelSelector)}`;
  const on = `in cluster ${cluster.name}`;

  // The pod list is the largest and slowest answer: its request leaves before the others.
  let podsSent = () => {};
  const podsLeft = new Promise<void>(resolve => {
    podsSent = resolve;
  });
  const pods = progress.track(
    { label: `Kubernetes pods ${on}`, action: 'list pods' },
    async () => {
      const watched = options.podWatches?.summary(cluster, kubernetesId, now);
      if (watched) {
        podsSent();
        return watched;
      }
      const path = `/api/v1/pods?${selector}`;
      // Summarised at once: this cluster's pods are counted while others still answer.
      const inPlace = async () =>
        podLists.summarize(await connection.get(path, signal), now);
      // A thread fetches the list itself: its megabyte never reaches this thread.
      const request = await connection.request(path);
      const reading =
        (request &&
          podLists.fetchAndSummarize(request, now, signal, inPlace)) ??
        inPlace();
      podsSent();
      return reading;
    },
    summary => {
      progress.podSummary = summary;
    },
  );

  await Promise.race([podsLeft, pods]);

  // Speculative and silent: when it fails, checkSecrets asks for each secret by name.
  const secretNames = progress
    .pendingWhile(
      secretsSource(cluster),
      connection.getJson(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
        signal,
        METADATA_LIST_ONLY,
      ),
    )
    .then(
      list => ({
        namespace,
        names: new Set(
          itemsOf(list)
            .map(
              item =>
                (item as { metadata?: { name?: unknown } }).metadata?.name,
            )
            .filter((name): name is string => typeof name === 'string'),
        ),
      }),
      () => undefined,
    );

  // A kind recently found not installed is an empty list, as its 404 was.
  const listKind = async (
    source: Source,
    resources: string,
    store: (items: unknown[]) => void,
  ): Promise<void> => {
    if (options.absentKinds?.has(cluster, resources)) {
      store([]);
      return;
    }
    await progress.track(
      source,
      () =>
        listCustomObjects(connection, `${resources}?${selector}`, signal, () =>
          options.absentKinds?.add(cluster, resources),
        ),
      store,
    );
  };

  const applications = listKind(
    { label: `ArgoCD Applications ${on}`, action: 'list ArgoCD Applications' },
    `/apis/${ARGOCD_API_VERSION}/${ARGOCD_KINDS.Application.plural}`,
    items => {
      progress.applications = items;
    },
  );

  const crossplane = Promise.all(
    CROSSPLANE_KINDS.map(({ kind, plural }) =>
      listKind(
        {
          label: `Crossplane ${kind} resources ${on}`,
          action: `list ${plural}.${CROSSPLANE_GROUP}`,
        },
        `/apis/${CROSSPLANE_API_VERSION}/${plural}`,
        items => {
          progress.crossplane.set(kind, items);
        },
      ),
    ),
  ).then(async () =>
    checkSecrets(connection, progress, signal, await secretNames),
  );

  await Promise.all([pods, applications, crossplane]);
}

function itemsOf(list: unknown): unknown[] {
  const items = (list as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? items : [];
}

/** Lists a custom resource across namespaces; a kind the cluster does not have is an empty list. */
async function listCustomObjects(
  connection: KubernetesConnection,
  path: string,
  signal: AbortSignal,
  notInstalled: () => void,
): Promise<unknown[]> {
  try {
    return itemsOf(await connection.getJson(path, signal));
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) {
      notInstalled();
      return [];
    }
    throw error;
  }
}

async function checkSecrets(
  connection: KubernetesConnection,
  progress: Progress,
  signal: AbortSignal,
  listed: { namespace: string; names: Set<string> } | undefined,
): Promise<void> {
  const wanted = new Map<string, { namespace: string; name: string }>();
  for (const items of progress.crossplane.values()) {
    for (const resource of items) {
      const ref = secretRef(resource);
      if (!ref) continue;
      const key = secretKey(ref.namespace, ref.name);
      if (listed?.namespace === ref.namespace) {
        progress.secrets.set(key, listed.names.has(ref.name));
      } else {
        wanted.set(key, ref);
      }
    }
  }
  if (wanted.size === 0 || progress.closed) return;
  const source = secretsSource(connection.cluster);
  await Promise.all(
    [...wanted].map(([key, { namespace, name }]) =>
      progress.track(
        source,
        async () => {
          try {
            await connection.get(
              `/api/v1/namespaces/${encodeURIComponent(
                namespace,
              )}/secrets/${encodeURIComponent(name)}`,
              signal,
              METADATA_ONLY,
            );
            return true;
          } catch (error) {
            if (error instanceof ApiException && error.code === 404)
              return false;
            throw error;
          }
        },
        exists => {
          progress.secrets.set(key, exists);
        },
      ),
    ),
  );
}

function secretsSource(cluster: ClusterConfig): Source {
  return {
    label: `Connection secrets in cluster ${cluster.name}`,
    action: 'get secrets',
    grant:
      "grant it list (or get) on secrets in the component's namespaces (only their metadata is read)",
  };
}

function secretRef(
  resource: unknown,
): { namespace: string; name: string } | undefined {
  const r = resource as {
    metadata?: { namespace?: unknown };
    spec?: {
      connectionSecretName?: unknown;
      writeConnectionSecretToRef?: { name?: unknown; namespace?: unknown };
    };
  };
  if (typeof r !== 'object' || r === null) return undefined;
  const name =
    r.spec?.connectionSecretName ?? r.spec?.writeConnectionSecretToRef?.name;
  const namespace =
    r.spec?.writeConnectionSecretToRef?.namespace ?? r.metadata?.namespace;
  return typeof name === 'string' &&
    name &&
    typeof namespace === 'string' &&
    namespace
    ? { namespace, name }
    : undefined;
}

function secretKey(namespace: string, name: string) {
  return `${namespace}/${name}`;
}

function assemble(
  cluster: ClusterConfig,
  progress: Progress,
  timedOutAfterMs: number | undefined,
): ClusterReading {
  const reading: ClusterReading = {
    cluster,
    failures: [],
    succeeded: progress.succeeded,
  };
  if (timedOutAfterMs !== undefined && !progress.succeeded) {
    reading.failures.push({
      source: clusterSource(cluster),
      message: `${describe(
        cluster,
      )} did not answer within ${timedOutAfterMs} ms — check that the API server is reachable from the Backstage backend (a private AKS cluster needs a network path) and not overloaded`,
    });
    return reading;
  }

  reading.podSummary = progress.podSummary;
  reading.applications = progress.applications;
  const crossplaneFailed = progress.errors.some(e =>
    e.source.label.startsWith('Crossplane'),
  );
  if (progress.crossplane.size > 0 || !crossplaneFailed) {
    reading.crossplane = [...progress.crossplane.values()]
      .flat()
      .map(resource => {
        const ref = secretRef(resource);
        const exists = ref
          ? progress.secrets.get(secretKey(ref.namespace, ref.name))
          : undefined;
        return exists === undefined
          ? { resource }
          : { resource, secretExists: exists };
      });
  }

  const errors = progress.errors;
  const clusterWide = errors.find(e => isClusterWide(e.error));
  const allForbidden =
    errors.length > 0 &&
    !progress.succeeded &&
    errors.every(e => statusOf(e.error) === 403);
  if (clusterWide) {
    reading.failures.push({
      source: clusterSource(cluster),
      message: clusterFailureMessage(cluster, clusterWide.error),
    });
  } else if (allForbidden) {
    reading.failures.push({
      source: clusterSource(cluster),
      message: `${describe(
        cluster,
      )} answered 403: the identity may not list pods/applications in this cluster — ${READ_ACCESS_HINT}`,
    });
  } else {
    for (const { source, error } of errors) {
      reading.failures.push({
        source: source.label,
        message: sourceFailureMessage(cluster, source, error),
      });
    }
  }

  if (timedOutAfterMs !== undefined) {
    for (const { source } of progress.pending.values()) {
      reading.failures.push({
        source: source.label,
        message: `${
          source.label
        } did not answer within ${timedOutAfterMs} ms — the rest of ${describe(
          cluster,
        )} is shown; check the API server's load`,
      });
    }
  }
  return reading;
}

function clusterSource(cluster: ClusterConfig): string {
  return `Kubernetes cluster ${cluster.name}`;
}

function describe(cluster: ClusterConfig): string {
  return `Kubernetes cluster ${cluster.name} (${cluster.environment})`;
}

function clusterFailureMessage(cluster: ClusterConfig, error: unknown): string {
  const status = statusOf(error);
  if (status === 401) {
    return `${describe(
      cluster,
    )} answered 401: token rejected — check the service account token / Entra sign-in`;
  }
  const code = networkCode(error);
  if (code && TLS_CODES.test(code)) {
    return `${describe(
      cluster,
    )}: TLS verification failed (${code}) — check caData for this cluster`;
  }
  return `could not connect to ${describe(cluster)} at ${cluster.url}: ${
    code ?? messageOf(error)
  } — check the cluster url and that the Backstage backend can reach it`;
}

function sourceFailureMessage(
  cluster: ClusterConfig,
  source: Source,
  error: unknown,
): string {
  const status = statusOf(error);
  const detail = kubernetesStatusMessage(error);
  if (status === 403) {
    return `${describe(cluster)} answered 403 to ${source.action}${
      detail ? ` (${detail})` : ''
    }: the identity may not ${source.action} in this cluster — ${
      source.grant ?? READ_ACCESS_HINT
    }`;
  }
  if (status !== undefined) {
    return `${describe(cluster)} answered HTTP ${status} to ${source.action}${
      detail ? `: ${detail}` : ''
    }`;
  }
  return `${source.label} could not be read: ${messageOf(error)}`;
}

/** Failures that every request to the cluster would have: reported once, for the cluster. */
function isClusterWide(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 401) return true;
  if (status !== undefined) return false;
  return networkCode(error) !== undefined;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException && typeof error.code === 'number'
    ? error.code
    : undefined;
}

/** ECONNREFUSED, ENOTFOUND, a TLS error code...; undefined for anything else. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    current = (current as { cause?: unknown }).cause;
  }
  const message = messageOf(error);
  // client-node refuses plain http before sending anything.
  if (/HTTP protocol is not allowed/.test(message)) return 'HTTP_NOT_ALLOWED';
  return undefined;
}

/** The `message` of the Kubernetes Status object in an error response, if there is one. */
function kubernetesStatusMessage(error: unknown): string | undefined {
  if (!(error instanceof ApiException)) return undefined;
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message ? message : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof ApiException) return `HTTP ${error.code}`;
  return error instanceof Error ? error.message : String(error);
}

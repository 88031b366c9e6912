import {
  ARGOCD_API_VERSION,
  ARGOCD_GROUP,
  ARGOCD_KINDS,
  CROSSPLANE_API_VERSION,
  CROSSPLANE_GROUP,
  CROSSPLANE_KINDS,
} from '@internal/plugin-platform-common';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { KubernetesObject } from './payloads';

/** How the fake API server answers: normally, never, or with 401 / 403 to everything. */
export type FakeBehaviour = 'ok' | 'hang' | 'unauthorized' | 'forbidden';

export type FakeKubernetesOptions = {
  /** The bearer token the server accepts; any other gets 401. */
  token: string;
  pods?: KubernetesObject[];
  /** `apps/v1` Deployments, for the Kubernetes tab; none by default. */
  deployments?: KubernetesObject[];
  /** `apps/v1` ReplicaSets, through which the Kubernetes tab finds a Deployment's pods. */
  replicaSets?: KubernetesObject[];
  /** ArgoCD Applications; when undefined ArgoCD is not installed (404). */
  applications?: KubernetesObject[];
  /** Crossplane resources by plural; a plural not listed is not installed in the cluster (404). */
  crossplane?: Record<string, KubernetesObject[]>;
  /** Secrets that exist, `<namespace>/<name>`. */
  secrets?: string[];
  behaviour?: FakeBehaviour;
  /**
   * Resources (plurals: `pods`, `applications`, `secrets`, `databases`...) that answer 403;
   * `<verb> <plural>` (`list secrets`) forbids one verb only.
   */
  forbidden?: string[];
  /** Serve the Crossplane resources with broken status blocks, as a half-written controller would. */
  malformedCustomResources?: boolean;
  /** Resources (plurals, as for `forbidden`) that never answer while the rest does. */
  hanging?: string[];
  /** Delay of every answer, in ms. */
  delayMs?: number;
};

export type RecordedRequest = {
  method: string;
  path: string;
  labelSelector?: string;
  accept?: string;
  authorization?: string;
  /** A watch (`?watch=true`) rather than a list or get. */
  watch?: boolean;
};

/** The kind of each Crossplane plural the portal defines. */
const CROSSPLANE_KIND_OF: Record<string, string> = Object.fromEntries(
  CROSSPLANE_KINDS.map(k => [k.plural, k.kind]),
);

const APPLICATIONS_PATH = `/apis/${ARGOCD_API_VERSION}/${ARGOCD_KINDS.Application.plural}`;
const CROSSPLANE_PATH = new RegExp(
  `^/apis/${CROSSPLANE_API_VERSION.replace(/\./g, '\\.')}/([a-z]+)$`,
);

// The built-in kinds that Backstage's Kubernetes tab lists (DEFAULT_OBJECTS of
// @backstage/plugin-kubernetes-backend), at their real paths. Every API server serves them, so a
// kind with no objects answers an empty list, not 404.
const BUILT_IN_LISTS: Record<
  string,
  {
    group: string;
    apiVersion: string;
    kind: string;
    items?: 'deployments' | 'replicaSets';
  }
> = {
  '/api/v1/services': { group: '', apiVersion: 'v1', kind: 'ServiceList' },
  '/api/v1/configmaps': { group: '', apiVersion: 'v1', kind: 'ConfigMapList' },
  '/api/v1/limitranges': {
    group: '',
    apiVersion: 'v1',
    kind: 'LimitRangeList',
  },
  '/api/v1/resourcequotas': {
    group: '',
    apiVersion: 'v1',
    kind: 'ResourceQuotaList',
  },
  '/apis/apps/v1/deployments': {
    group: 'apps',
    apiVersion: 'apps/v1',
    kind: 'DeploymentList',
    items: 'deployments',
  },
  '/apis/apps/v1/replicasets': {
    group: 'apps',
    apiVersion: 'apps/v1',
    kind: 'ReplicaSetList',
    items: 'replicaSets',
  },
  '/apis/apps/v1/statefulsets': {
    group: 'apps',
    apiVersion: 'apps/v1',
    kind: 'StatefulSetList',
  },
  '/apis/apps/v1/daemonsets': {
    group: 'apps',
    apiVersion: 'apps/v1',
    kind: 'DaemonSetList',
  },
  '/apis/autoscaling/v2/horizontalpodautoscalers': {
    group: 'autoscaling',
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscalerList',
  },
  '/apis/batch/v1/jobs': {
    group: 'batch',
    apiVersion: 'batch/v1',
    kind: 'JobList',
  },
  '/apis/batch/v1/cronjobs': {
    group: 'batch',
    apiVersion: 'batch/v1',
    kind: 'CronJobList',
  },
  '/apis/networking.k8s.io/v1/ingresses': {
    group: 'networking.k8s.io',
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressList',
  },
};

// Shapes seen from controllers mid-upgrade or from hand-edited objects.
const MALFORMED_STATUSES: unknown[] = [
  'Ready',
  { conditions: 'Ready=True' },
  { conditions: [{ type: 'Ready', status: 'maybe' }, null, 42] },
  {},
  undefined,
];

/**
 * A Kubernetes API server on 127.0.0.1 that answers the requests of the health backend with
 * payloads shaped like a real API server's: `*List` envelopes, `Status` objects for errors,
 * label selector filtering, bearer token checks, and metadata-only secret reads.
 */
export class FakeKubernetes {
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private resourceVersion = 1000;
  /** TCP connections clients opened so far. */
  connectionsOpened = 0;
  private readonly watchers = new Set<{
    res: http.ServerResponse;
    matches: (pod: KubernetesObject) => boolean;
  }>();

  private constructor(public options: FakeKubernetesOptions) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', socket => {
      this.connectionsOpened += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(
    options: FakeKubernetesOptions,
    port = 0,
  ): Promise<FakeKubernetes> {
    const fake = new FakeKubernetes(options);
    await new Promise<void>(resolve =>
      fake.server.listen(port, '127.0.0.1', resolve),
    );
    return fake;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  set behaviour(behaviour: FakeBehaviour) {
    this.options.behaviour = behaviour;
  }

  /** Requests to the given path prefix, e.g. `/api/v1/pods`. */
  requestsTo(prefix: string): RecordedRequest[] {
    return this.requests.filter(r => r.path.startsWith(prefix));
  }

  /** Pod watches open now. */
  get openWatches(): number {
    return this.watchers.size;
  }

  /** Changes a pod as a controller would, and tells the open watches. */
  podEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: KubernetesObject) {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const others = (this.options.pods ?? []).filter(
      p => `${p.metadata.namespace}/${p.metadata.name}` !== key,
    );
    this.resourceVersion += 1;
    const object = {
      ...pod,
      metadata: {
        ...pod.metadata,
        resourceVersion: String(this.resourceVersion),
      },
    };
    this.options.pods = type === 'DELETED' ? others : [...others, object];
    for (const watcher of this.watchers) {
      if (watcher.matches(object)) {
        watcher.res.write(`${JSON.stringify({ type, object })}\n`);
      }
    }
  }

  /** Ends the open watches with 410 Gone, as an API server whose watch cache has moved on. */
  expireWatches() {
    for (const { res } of this.watchers) {
      res.end(
        `${JSON.stringify({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: `too old resource version: 1000 (${this.resourceVersion})`,
            reason: 'Expired',
            code: 410,
          },
        })}\n`,
      );
    }
    this.watchers.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const labelSelector = url.searchParams.get('labelSelector') ?? undefined;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      labelSelector,
      accept: req.headers.accept,
      authorization: req.headers.authorization,
      ...(url.searchParams.get('watch') === 'true' ? { watch: true } : {}),
    });
    const behaviour = this.options.behaviour ?? 'ok';
    // Hanging: hold the connection open and never answer.
    if (behaviour === 'hang') return;
    if (this.options.hanging?.includes(resourceOf(url.pathname))) return;

    const answer = () => {
      if (
        behaviour === 'unauthorized' ||
        req.headers.authorization !== `Bearer ${this.options.token}`
      ) {
        this.status(res, 401, 'Unauthorized', 'Unauthorized');
        return;
      }
      if (req.method !== 'GET') {
        this.status(
          res,
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
        return;
      }
      this.route(
        url.pathname,
        labelSelector,
        req.headers.accept,
        res,
        behaviour,
        url.searchParams,
      );
    };
    if (this.options.delayMs) setTimeout(answer, this.options.delayMs);
    else answer();
  }

  private route(
    path: string,
    labelSelector: string | undefined,
    accept: string | undefined,
    res: http.ServerResponse,
    behaviour: FakeBehaviour,
    query = new URLSearchParams(),
  ) {
    const watch = query.get('watch') === 'true';
    const forbidden = (
      resource: string,
      group: string,
      verb: string,
      scope: string,
    ) => {
      if (
        behaviour === 'forbidden' ||
        this.options.forbidden?.includes(resource) ||
        this.options.forbidden?.includes(`${verb} ${resource}`)
      ) {
        this.status(
          res,
          403,
          'Forbidden',
          `${resource}${
            group ? `.${group}` : ''
          } is forbidden: User "system:serviceaccount:backstage:health-reader" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`,
          { group, kind: resource },
        );
        return true;
      }
      return false;
    };

    let selector: Array<(labels: Record<string, string>) => boolean>;
    try {
      selector = parseSelector(labelSelector);
    } catch (error) {
      this.status(
        res,
        400,
        'BadRequest',
        `unable to parse requirement: ${(error as Error).message}`,
      );
      return;
    }
    const select = (items: KubernetesObject[] = []) =>
      items.filter(item =>
        selector.every(match => match(item.metadata.labels ?? {})),
      );

    if (path === '/api/v1/pods' && watch) {
      if (forbidden('pods', '', 'watch', 'at the cluster scope')) return;
      // Events follow as pods change; nothing is sent until then.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      const watcher = {
        res,
        matches: (pod: KubernetesObject) => select([pod]).length > 0,
      };
      this.watchers.add(watcher);
      res.on('close', () => this.watchers.delete(watcher));
      return;
    }
    if (path === '/api/v1/pods') {
      if (forbidden('pods', '', 'list', 'at the cluster scope')) return;
      const pods = select(this.options.pods);
      // Pages of `limit`, the continue token being the offset of the next one.
      const limit = Number(query.get('limit')) || pods.length;
      const offset = Number(query.get('continue')) || 0;
      const more = offset + limit < pods.length;
      // Every page of one list is of the same version, as the API server's snapshot is.
      if (offset === 0) this.resourceVersion += 1;
      this.json(res, 200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: {
          resourceVersion: String(this.resourceVersion),
          ...(more ? { continue: String(offset + limit) } : {}),
        },
        items: pods.slice(offset, offset + limit),
      });
      return;
    }

    const secretList = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/secrets$/);
    if (secretList) {
      const [, namespace] = secretList;
      if (forbidden('secrets', '', 'list', `in the namespace "${namespace}"`))
        return;
      const names = (this.options.secrets ?? [])
        .filter(s => s.startsWith(`${namespace}/`))
        .map(s => s.slice(namespace.length + 1));
      if (accept?.includes('as=PartialObjectMetadataList')) {
        this.json(
          res,
          200,
          {
            kind: 'PartialObjectMetadataList',
            apiVersion: 'meta.k8s.io/v1',
            metadata: { resourceVersion: String(++this.resourceVersion) },
            items: names.map(name => ({
              kind: 'PartialObjectMetadata',
              apiVersion: 'meta.k8s.io/v1',
              metadata: secretMetadata(namespace, name),
            })),
          },
          'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
        );
      } else {
        this.list(
          res,
          'v1',
          'SecretList',
          names.map(name => secretObject(namespace, name)),
        );
      }
      return;
    }

    const secret = path.match(
      /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/,
    );
    if (secret) {
      const [, namespace, name] = secret;
      if (forbidden('secrets', '', 'get', `in the namespace "${namespace}"`))
        return;
      if (!this.options.secrets?.includes(`${namespace}/${name}`)) {
        this.status(res, 404, 'NotFound', `secrets "${name}" not found`, {
          name,
          kind: 'secrets',
        });
        return;
      }
      const metadata = secretMetadata(namespace, name);
      if (accept?.includes('as=PartialObjectMetadata')) {
        this.json(
          res,
          200,
          {
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata,
          },
          'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
        );
      } else {
        this.json(res, 200, secretObject(namespace, name));
      }
      return;
    }

    if (path === APPLICATIONS_PATH) {
      if (
        forbidden(
          ARGOCD_KINDS.Application.plural,
          ARGOCD_GROUP,
          'list',
          'at the cluster scope',
        )
      )
        return;
      if (!this.options.applications) {
        this.notFoundPage(res);
        return;
      }
      this.list(
        res,
        ARGOCD_API_VERSION,
        `${ARGOCD_KINDS.Application.kind}List`,
        select(this.options.applications),
      );
      return;
    }

    const crossplane = path.match(CROSSPLANE_PATH);
    if (crossplane) {
      const plural = crossplane[1];
      if (forbidden(plural, CROSSPLANE_GROUP, 'list', 'at the cluster scope'))
        return;
      const items = this.options.crossplane?.[plural];
      if (!items || !CROSSPLANE_KIND_OF[plural]) {
        this.status(
          res,
          404,
          'NotFound',
          'the server could not find the requested resource',
        );
        return;
      }
      let selected = select(items);
      if (this.options.malformedCustomResources) {
        selected = selected.map((item, i) => {
          const broken: Record<string, unknown> = { ...item };
          const status = MALFORMED_STATUSES[i % MALFORMED_STATUSES.length];
          if (status === undefined) delete broken.status;
          else broken.status = status;
          return broken as KubernetesObject;
        });
      }
      this.list(
        res,
        CROSSPLANE_API_VERSION,
        `${CROSSPLANE_KIND_OF[plural]}List`,
        selected,
      );
      return;
    }

    const builtIn = BUILT_IN_LISTS[path];
    if (builtIn) {
      const resource = resourceOf(path);
      if (forbidden(resource, builtIn.group, 'list', 'at the cluster scope'))
        return;
      this.list(
        res,
        builtIn.apiVersion,
        builtIn.kind,
        builtIn.items ? select(this.options[builtIn.items]) : [],
      );
      return;
    }

    this.notFoundPage(res);
  }

  private list(
    res: http.ServerResponse,
    apiVersion: string,
    kind: string,
    items: unknown[],
  ) {
    this.resourceVersion += 1;
    this.json(res, 200, {
      kind,
      apiVersion,
      metadata: { resourceVersion: String(this.resourceVersion) },
      items,
    });
  }

  private status(
    res: http.ServerResponse,
    code: number,
    reason: string,
    message: string,
    details?: Record<string, string>,
  ) {
    this.json(res, code, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    });
  }

  /** What the API server answers for a group or path it does not serve at all. */
  private notFoundPage(res: http.ServerResponse) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  }

  private json(
    res: http.ServerResponse,
    code: number,
    body: unknown,
    contentType = 'application/json',
  ) {
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(text),
      'Audit-Id': '5a4c1a0e-6c79-4f0f-9f0d-1b7a3c2d9e01',
    });
    res.end(text);
  }
}

function secretMetadata(namespace: string, name: string) {
  return {
    name,
    namespace,
    uid: '3b7c0c0e-0a4a-4d8e-b7b8-5f0d8f8f2a11',
    resourceVersion: '77120',
    creationTimestamp: '2025-11-20T09:31:02Z',
    ownerReferences: [
      {
        apiVersion: CROSSPLANE_API_VERSION,
        kind: 'Database',
        name,
      },
    ],
  };
}

/** The whole secret, data included: what a client that forgets the metadata Accept header gets. */
function secretObject(namespace: string, name: string) {
  return {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: secretMetadata(namespace, name),
    type: 'connection.crossplane.io/v1alpha1',
    data: { password: Buffer.from('s3cr3t-password').toString('base64') },
  };
}

/** `pods`, `secrets`, `applications`, `databases`...: the resource a path names. */
function resourceOf(path: string): string {
  const secret = path.match(/\/secrets\/[^/]+$/);
  if (secret) return 'secrets';
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Equality-based requirements (`a=b`, `a==b`, `a!=b`) and existence (`a`, `!a`), comma-separated. */
function parseSelector(
  selector: string | undefined,
): Array<(labels: Record<string, string>) => boolean> {
  if (!selector) return [];
  return selector.split(',').map(requirement => {
    const term = requirement.trim();
    let match = term.match(
      /^([A-Za-z0-9./_-]+)\s*(!=|==|=)\s*([A-Za-z0-9._-]*)$/,
    );
    if (match) {
      const [, key, op, value] = match;
      return op === '!='
        ? (labels: Record<string, string>) => labels[key] !== value
        : (labels: Record<string, string>) => labels[key] === value;
    }
    match = term.match(/^(!?)([A-Za-z0-9./_-]+)$/);
    if (match) {
      const [, not, key] = match;
      return (labels: Record<string, string>) =>
        key in labels !== (not === '!');
    }
    throw new Error(`"${term}" is not a requirement this fake supports`);
  });
}

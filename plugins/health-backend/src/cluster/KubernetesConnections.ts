import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Headers } from 'node-fetch';
import { ClusterConfig } from '../config';
import type { PodListRequest } from './PodListSummarizer';

let connections = 0;

/** Identities whose connections are kept; beyond this the least recently used are closed. */
const MAX_CONNECTIONS = 200;

// What client-node puts on its agent for TLS: the cluster CA, a client certificate,
// skipTLSVerify as rejectUnauthorized, the TLS server name.
const TLS_OPTIONS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
];

/** What every request of a connection carries: its agent and its credentials. */
type Connected = {
  agent: http.Agent | undefined;
  headers: Record<string, string>;
};

/**
 * GETs from one API server as one identity. Credentials and TLS settings come from
 * @kubernetes/client-node's KubeConfig, as in Backstage's own Kubernetes fetcher, but its
 * connections are kept alive: client-node makes a new agent, so a new TLS handshake with the
 * API server, for every request. Requests go through Node's http module: a health read makes
 * about seven per cluster at once, and a fetch layer on top cost a third of their CPU time.
 * Answers are plain JSON: the generated API classes would turn every pod into model objects
 * with Dates (about 45 ms per 1,000 pods) only for the verdict to read them as JSON.
 */
export class KubernetesConnection {
  private connected?: Promise<Connected>;
  /** Names this connection to the pod list threads, which keep their own agent for it. */
  readonly id = `connection-${(connections += 1)}`;

  constructor(
    readonly cluster: ClusterConfig,
    private readonly token: string,
    private readonly onClose?: (id: string) => void,
  ) {}

  /**
   * The GET of `path` as plain data, for a pod list thread to make with its own agent;
   * undefined when the connection goes through a proxy agent, which cannot be rebuilt there.
   */
  async request(
    path: string,
    accept = 'application/json',
  ): Promise<PodListRequest | undefined> {
    const { agent, headers } = await (this.connected ??= this.connect());
    if (
      !(agent instanceof http.Agent) ||
      (agent.constructor !== http.Agent && agent.constructor !== https.Agent)
    ) {
      return undefined;
    }
    const options = (agent as http.Agent & { options: Record<string, unknown> })
      .options;
    const tls: Record<string, unknown> = {};
    for (const key of TLS_OPTIONS) {
      if (options[key] !== undefined) tls[key] = options[key];
    }
    return {
      url: this.url(path),
      headers: { ...headers, accept },
      ...(agent instanceof https.Agent ? { tls } : {}),
      connection: this.id,
    };
  }

  /** The body of a successful GET; an ApiException for any other status. */
  async get(
    path: string,
    signal: AbortSignal,
    accept = 'application/json',
  ): Promise<Buffer> {
    const { agent, headers } = await (this.connected ??= this.connect());
    const { status, body } = await getBytes(this.url(path), {
      agent,
      headers: { ...headers, accept },
      signal,
    });
    if (!succeeded(status)) throw statusError(status, body);
    return body;
  }

  /**
   * A watch (`?watch=true`): calls `onEvent` with each event the API server streams, and
   * settles when the server ends the stream. A status other than 2xx is an ApiException, a
   * stream silent for `idleMs` an error.
   */
  async watch(
    path: string,
    signal: AbortSignal,
    idleMs: number,
    onEvent: (event: unknown) => void,
  ): Promise<void> {
    const { agent, headers } = await (this.connected ??= this.connect());
    return new Promise<void>((resolve, reject) => {
      const req = clientFor(this.cluster.url).get(
        this.url(path),
        { agent, headers: { ...headers, accept: 'application/json' }, signal },
        res => {
          const status = res.statusCode ?? 0;
          if (!succeeded(status)) {
            bodyOf(res).then(body => reject(statusError(status, body)), reject);
            return;
          }
          res.setEncoding('utf8');
          let partial = '';
          res.on('data', (chunk: string) => {
            const lines = (partial + chunk).split('\n');
            partial = lines.pop() ?? '';
            try {
              for (const line of lines) {
                if (line.trim()) onEvent(JSON.parse(line));
              }
            } catch (error) {
              // Settled here: destroying with the error would emit it a second time.
              reject(error);
              req.destroy();
            }
          });
          res.on('end', () => resolve());
          res.on('error', reject);
        },
      );
      req.setTimeout(idleMs, () => {
        reject(new Error(`the watch was silent for ${idleMs} ms`));
        req.destroy();
      });
      req.on('error', reject);
    });
  }

  uses(cluster: ClusterConfig, token: string): boolean {
    return this.cluster === cluster && this.token === token;
  }

  async getJson(
    path: string,
    signal: AbortSignal,
    accept?: string,
  ): Promise<unknown> {
    return JSON.parse((await this.get(path, signal, accept)).toString('utf8'));
  }

  close() {
    this.connected?.then(({ agent }) => agent?.destroy()).catch(() => {});
    this.onClose?.(this.id);
  }

  private url(path: string): string {
    return `${this.cluster.url.replace(/\/$/, '')}${path}`;
  }

  private async connect(): Promise<Connected> {
    const { cluster } = this;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: cluster.name,
          server: cluster.url,
          skipTLSVerify: cluster.skipTLSVerify,
          caData: cluster.caData,
          caFile: cluster.caFile,
        },
      ],
      users: [{ name: 'backstage-health', token: this.token }],
      contexts: [
        { name: cluster.name, cluster: cluster.name, user: 'backstage-health' },
      ],
      currentContext: cluster.name,
    });
    const init = await kc.applyToFetchOptions({ method: 'GET' });
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    return { agent: keptAlive(init.agent as http.Agent | undefined), headers };
  }
}

/** A GET with Node's http(s) module; any status resolves, with the whole body. */
function getBytes(
  url: string,
  options: {
    agent: http.Agent | undefined;
    headers: Record<string, string>;
    signal: AbortSignal;
  },
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = clientFor(url).get(url, options, res =>
      bodyOf(res).then(
        body => resolve({ status: res.statusCode ?? 0, body }),
        reject,
      ),
    );
    req.on('error', error => {
      // The API server (or a load balancer before it) closed the idle kept-alive socket as
      // this GET went out on it. Node's documented remedy: send it again on a new socket.
      if (isStaleSocket(req, error) && !options.signal.aborted) {
        getBytes(url, options).then(resolve, reject);
      } else {
        reject(error);
      }
    });
  });
}

/** A reused kept-alive socket that turned out closed; safe to retry for a GET. */
function isStaleSocket(req: http.ClientRequest, error: unknown): boolean {
  return req.reusedSocket && (error as { code?: unknown })?.code === 'ECONNRESET';
}

function clientFor(url: string): typeof http | typeof https {
  return url.startsWith('https:') ? https : http;
}

function bodyOf(res: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function succeeded(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** What client-node throws for a status other than 2xx: the Status object as its body. */
function statusError(status: number, body: Buffer): ApiException<string> {
  return new ApiException(status, `HTTP ${status}`, body.toString('utf8'), {});
}

/** The same agent with keep-alive; proxy agents are left as they are. */
function keptAlive(agent: http.Agent | undefined): http.Agent | undefined {
  if (
    agent instanceof http.Agent &&
    (agent.constructor === http.Agent || agent.constructor === https.Agent)
  ) {
    const options = (agent as http.Agent & { options: http.AgentOptions })
      .options;
    const Agent = agent.constructor as typeof http.Agent;
    agent.destroy();
    return new Agent({ ...options, keepAlive: true, timeout: 60_000 });
  }
  return agent;
}

/**
 * One connection per cluster and identity. A backend identity (service account, Azure) has
 * one per cluster, replaced when its token changes; each user's Entra token on an `aks`
 * cluster has its own.
 */
export class KubernetesConnections {
  private readonly connections = new Map<string, KubernetesConnection>();

  constructor(
    private readonly max = MAX_CONNECTIONS,
    /** Told the id of every connection closed. */
    private readonly onClose?: (id: string) => void,
  ) {}

  get size(): number {
    return this.connections.size;
  }

  for(cluster: ClusterConfig, token: string): KubernetesConnection {
    const key =
      cluster.authProvider === 'aks'
        ? `${cluster.name}\0${createHash('sha256').update(token).digest('hex')}`
        : cluster.name;
    const existing = this.connections.get(key);
    this.connections.delete(key);
    if (existing?.uses(cluster, token)) {
      this.connections.set(key, existing);
      return existing;
    }
    existing?.close();
    const connection = new KubernetesConnection(cluster, token, this.onClose);
    this.connections.set(key, connection);
    if (this.connections.size > this.max) {
      const [oldestKey, oldest] = this.connections.entries().next().value!;
      this.connections.delete(oldestKey);
      oldest.close();
    }
    return connection;
  }

  close() {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }
}

import { LoggerService } from '@backstage/backend-plugin-api';
import { PodSummary, summarizePods } from '@internal/plugin-health-common';
import { ApiException } from '@kubernetes/client-node';
import { Worker } from 'node:worker_threads';

/** Smaller lists are parsed in place: handing them to a thread costs more than it saves. */
export const WORKER_THRESHOLD_BYTES = 64 * 1024;

export type PodListSummarizerOptions = {
  /** Worker threads to parse large pod lists on; 0 parses everything on the calling thread. */
  workers: number;
  logger: LoggerService;
  /** Node options of the threads; by default the process's own, so dev-mode transpiling works. */
  execArgv?: string[];
};

/**
 * A GET of a PodList that a thread can make itself: plain data only, taken from the
 * connection's KubeConfig (credentials, CA and client certificate).
 */
export type PodListRequest = {
  url: string;
  headers: Record<string, string>;
  /** TLS options of the connection's agent; absent for plain HTTP. */
  tls?: Record<string, unknown>;
  /** Identifies the connection: the thread keeps one kept-alive agent per connection. */
  connection: string;
};

type Job = {
  /** The bytes to parse; absent when the thread fetches them itself. */
  body?: Uint8Array;
  now: Date;
  resolve: (summary: PodSummary) => void;
  reject: (error: Error) => void;
  /** For a fetch: what to do when the thread stops before answering. */
  fallback?: () => Promise<PodSummary>;
};

type Reply = {
  ready?: boolean;
  id: number;
  summary?: PodSummary;
  /** A parse failure, or a network failure with its code. */
  error?: string;
  code?: string;
  /** An answer other than 2xx, with its body. */
  status?: number;
  body?: string;
};

type Thread = {
  worker: Worker;
  jobs: Map<number, Job>;
  online: boolean;
  failed: boolean;
  /** Settles once the thread has loaded its program or has failed to. */
  started: Promise<void>;
};

// The thread's whole program: it shares summarizePods with the rest of the plugin, and
// fetches with Node's own http(s) and a kept-alive agent per connection.
const threadSource = (healthCommon: string) => `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
const { summarizePods } = require(${JSON.stringify(healthCommon)});
const agents = new Map();
const requests = new Map();

function summarize(id, bytes, now) {
  let reply;
  try {
    const list = JSON.parse(bytes.toString('utf8'));
    const items = list && Array.isArray(list.items) ? list.items : [];
    reply = { id, summary: summarizePods(items, new Date(now)) };
  } catch (error) {
    reply = { id, error: String((error && error.message) || error) };
  }
  parentPort.postMessage(reply);
}

function fetchList({ id, url, headers, tls, connection, now }) {
  const secure = url.startsWith('https:');
  let agent = agents.get(connection);
  if (!agent) {
    const options = { ...(tls || {}), keepAlive: true, timeout: 60000 };
    agent = secure ? new https.Agent(options) : new http.Agent(options);
    agents.set(connection, agent);
  }
  const req = (secure ? https : http).get(url, { agent, headers }, res => {
    const chunks = [];
    res.on('data', chunk => chunks.push(chunk));
    res.on('error', error => fail(error));
    res.on('end', () => {
      if (!requests.delete(id)) return;
      const bytes = Buffer.concat(chunks);
      if (res.statusCode < 200 || res.statusCode > 299) {
        parentPort.postMessage({ id, status: res.statusCode, body: bytes.toString('utf8') });
      } else {
        summarize(id, bytes, now);
      }
    });
  });
  const fail = error => {
    if (!requests.delete(id)) return;
    parentPort.postMessage({ id, error: String(error && error.message || error), code: error && error.code });
  };
  req.on('error', fail);
  requests.set(id, req);
}

parentPort.on('message', message => {
  if (message.abort !== undefined) {
    const req = requests.get(message.abort);
    requests.delete(message.abort);
    if (req) req.destroy();
  } else if (message.closeConnection !== undefined) {
    const agent = agents.get(message.closeConnection);
    agents.delete(message.closeConnection);
    if (agent) agent.destroy();
  } else if (message.url) {
    fetchList(message);
  } else {
    const { id, body, now } = message;
    summarize(id, Buffer.from(body.buffer, body.byteOffset, body.byteLength), now);
  }
});
parentPort.postMessage({ ready: true });
`;

/**
 * Turns the JSON of a PodList into a PodSummary. A list of 1,000 pods is about 650 KB of JSON;
 * parsing it blocks the thread for several milliseconds and leaves megabytes of short-lived
 * objects to the garbage collector. Large lists are therefore parsed on worker threads, in
 * parallel across clusters, and only the small summary comes back; the backend's own thread
 * stays free for other requests. Anything wrong with a thread falls back to parsing in place.
 */
export class PodListSummarizer {
  private readonly threads: Thread[] = [];
  private nextId = 1;
  private warned = false;
  private closing = false;
  /** Lists summarised so far, on a thread and in place. */
  readonly counts = { onThreads: 0, inPlace: 0 };

  constructor(private readonly options: PodListSummarizerOptions) {
    if (options.workers <= 0) return;
    let healthCommon: string;
    try {
      healthCommon = require.resolve('@internal/plugin-health-common');
    } catch (error) {
      this.warn(error);
      return;
    }
    for (let i = 0; i < options.workers; i += 1) {
      this.threads.push(this.start(healthCommon));
    }
  }

  /** Threads currently taking work. */
  get workers(): number {
    return this.threads.filter(t => t.online && !t.failed).length;
  }

  /** Settles once every thread has loaded its program or has failed to. */
  async started(): Promise<void> {
    await Promise.all(this.threads.map(t => t.started));
  }

  /**
   * Fetches a PodList on a thread and summarises it there, so its bytes never reach the
   * calling thread. Undefined when no thread runs: the caller fetches the list itself.
   * `fallback` is run should the thread stop before it answers.
   */
  fetchAndSummarize(
    request: PodListRequest,
    now: Date,
    signal: AbortSignal,
    fallback: () => Promise<PodSummary>,
  ): Promise<PodSummary> | undefined {
    const thread = this.idleThread();
    if (!thread) return undefined;
    return new Promise<PodSummary>((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError());
        return;
      }
      const id = this.nextId++;
      thread.jobs.set(id, { now, resolve, reject, fallback });
      signal.addEventListener(
        'abort',
        () => {
          if (!thread.jobs.delete(id)) return;
          thread.worker.postMessage({ abort: id });
          reject(abortError());
        },
        { once: true },
      );
      thread.worker.postMessage({ id, ...request, now: now.getTime() });
    });
  }

  /** Tells the threads a connection is closed, so they close their agents for it. */
  closeConnection(connection: string) {
    for (const thread of this.threads) {
      if (!thread.failed)
        thread.worker.postMessage({ closeConnection: connection });
    }
  }

  async summarize(body: Uint8Array, now: Date): Promise<PodSummary> {
    const thread =
      body.byteLength >= WORKER_THRESHOLD_BYTES ? this.idleThread() : undefined;
    if (!thread) return this.inPlace(body, now);
    return new Promise<PodSummary>((resolve, reject) => {
      const id = this.nextId++;
      thread.jobs.set(id, { body, now, resolve, reject });
      // Moved rather than copied when the bytes own their memory: megabytes copied per read
      // would keep the main thread's garbage collector busy.
      const owned =
        body.byteOffset === 0 && body.buffer.byteLength === body.byteLength;
      thread.worker.postMessage(
        { id, body, now: now.getTime() },
        owned ? [body.buffer as ArrayBuffer] : [],
      );
    });
  }

  /** The running thread with the fewest jobs. */
  private idleThread(): Thread | undefined {
    return this.threads
      .filter(t => t.online && !t.failed)
      .sort((a, b) => a.jobs.size - b.jobs.size)[0];
  }

  async close(): Promise<void> {
    this.closing = true;
    const threads = this.threads.splice(0);
    await Promise.all(threads.map(t => t.worker.terminate()));
  }

  private start(healthCommon: string): Thread {
    const worker = new Worker(threadSource(healthCommon), {
      eval: true,
      ...(this.options.execArgv ? { execArgv: this.options.execArgv } : {}),
    });
    let started = () => {};
    const thread: Thread = {
      worker,
      jobs: new Map(),
      online: false,
      failed: false,
      started: new Promise<void>(resolve => {
        started = resolve;
      }),
    };
    // Idle threads must not keep the process alive.
    worker.unref();
    worker.on('message', (reply: Reply) => {
      // Its program loaded: the thread can take work.
      if (reply.ready) {
        thread.online = true;
        started();
        return;
      }
      const job = thread.jobs.get(reply.id);
      if (!job) return;
      thread.jobs.delete(reply.id);
      this.counts.onThreads += 1;
      if (reply.summary) job.resolve(reply.summary);
      else job.reject(replyError(reply));
    });
    const fail = (error: unknown) => {
      if (thread.failed) return;
      thread.failed = true;
      started();
      if (!this.closing) this.warn(error);
      for (const job of thread.jobs.values()) {
        if (job.fallback) {
          job.fallback().then(job.resolve, job.reject);
        } else if (job.body && job.body.byteLength > 0) {
          this.inPlace(job.body, job.now).then(job.resolve, job.reject);
        } else {
          // The bytes moved to the thread that stopped.
          job.reject(
            new Error(
              `the thread reading the pod list stopped: ${
                error instanceof Error ? error.message : String(error)
              }`,
            ),
          );
        }
      }
      thread.jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', code =>
      fail(new Error(`thread exited with code ${code}`)),
    );
    return thread;
  }

  private async inPlace(body: Uint8Array, now: Date): Promise<PodSummary> {
    this.counts.inPlace += 1;
    return summarizeInPlace(body, now);
  }

  private warn(error: unknown) {
    if (this.warned) return;
    this.warned = true;
    this.options.logger.warn(
      'Health parses pod lists on the main thread: a worker thread could not run',
      { error: error instanceof Error ? error.message : String(error) },
    );
  }
}

/** The error the calling thread would have seen had it made the request itself. */
function replyError(reply: Reply): Error {
  if (reply.status !== undefined) {
    return new ApiException(
      reply.status,
      `HTTP ${reply.status}`,
      reply.body ?? '',
      {},
    );
  }
  const error = new Error(reply.error ?? 'the pod list could not be read');
  if (reply.code) Object.assign(error, { code: reply.code });
  return error;
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted.'), {
    name: 'AbortError',
  });
}

async function summarizeInPlace(
  body: Uint8Array,
  now: Date,
): Promise<PodSummary> {
  const list = JSON.parse(
    Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
  );
  const items = (list as { items?: unknown } | null)?.items;
  return summarizePods(Array.isArray(items) ? items : [], now);
}

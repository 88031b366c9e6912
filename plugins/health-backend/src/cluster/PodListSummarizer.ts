import { LoggerService } from '@backstage/backend-plugin-api';
import { PodSummary, summarizePods } from '@internal/plugin-health-common';
import { ApiException } from '@kubernetes/client-node';
import { Worker } from 'node:worker_threads';
import {
  POD_LIST_THREAD_MODULE,
  PodListRequest,
  runPodListThread,
  ThreadMessage,
  ThreadReply,
} from './podListThread';

export type { PodListRequest };

/** Smaller lists are parsed in place: handing them to a thread costs more than it saves. */
export const WORKER_THRESHOLD_BYTES = 64 * 1024;

export type PodListSummarizerOptions = {
  /** Worker threads to parse large pod lists on; 0 parses everything on the calling thread. */
  workers: number;
  logger: LoggerService;
  /** Node options of the threads; by default the process's own, so dev-mode transpiling works. */
  execArgv?: string[];
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

type Reply = Extract<ThreadReply, { id: number }>;

type Thread = {
  worker: Worker;
  jobs: Map<number, Job>;
  online: boolean;
  failed: boolean;
  /** Settles once the thread has loaded its program or has failed to. */
  started: Promise<void>;
};

// The thread loads the typed module of its program; the transform in the process's execArgv,
// which the thread inherits, compiles it in development as it does the rest of the backend.
// The program is named through its import: the build drops an export nothing imports, and
// the thread's require names it only in a string.
const THREAD_BOOTSTRAP = `require(${JSON.stringify(
  POD_LIST_THREAD_MODULE,
)}).${runPodListThread.name}(require('node:worker_threads').parentPort);`;

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
    for (let i = 0; i < options.workers; i += 1) {
      this.threads.push(this.start());
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
          post(thread, { abort: id });
          reject(abortError());
        },
        { once: true },
      );
      post(thread, { id, ...request, now: now.getTime() });
    });
  }

  /** Tells the threads a connection is closed, so they close their agents for it. */
  closeConnection(connection: string) {
    for (const thread of this.threads) {
      if (!thread.failed)
        post(thread, { closeConnection: connection });
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
      post(
        thread,
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

  private start(): Thread {
    const worker = new Worker(THREAD_BOOTSTRAP, {
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
    worker.on('message', (reply: ThreadReply) => {
      // Its program loaded: the thread can take work.
      if ('ready' in reply) {
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

function post(
  thread: Thread,
  message: ThreadMessage,
  transfer: ArrayBuffer[] = [],
) {
  thread.worker.postMessage(message, transfer);
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

import { LoggerService } from '@backstage/backend-plugin-api';
import { PodSummary, summarizePods } from '@internal/plugin-health-common';
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

type Job = {
  body: Uint8Array;
  now: Date;
  resolve: (summary: PodSummary) => void;
  reject: (error: Error) => void;
};

type Thread = {
  worker: Worker;
  jobs: Map<number, Job>;
  online: boolean;
  failed: boolean;
  /** Settles once the thread has loaded its program or has failed to. */
  started: Promise<void>;
};

// The thread's whole program: it shares summarizePods with the rest of the plugin.
const threadSource = (healthCommon: string) => `
const { parentPort } = require('node:worker_threads');
const { summarizePods } = require(${JSON.stringify(healthCommon)});
parentPort.on('message', ({ id, body, now }) => {
  let reply;
  try {
    const list = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    const items = list && Array.isArray(list.items) ? list.items : [];
    reply = { id, summary: summarizePods(items, new Date(now)) };
  } catch (error) {
    reply = { id, error: String((error && error.message) || error) };
  }
  parentPort.postMessage(reply);
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

  async summarize(body: Uint8Array, now: Date): Promise<PodSummary> {
    const thread =
      body.byteLength >= WORKER_THRESHOLD_BYTES
        ? this.threads
            .filter(t => t.online && !t.failed)
            .sort((a, b) => a.jobs.size - b.jobs.size)[0]
        : undefined;
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
    worker.on(
      'message',
      (reply: {
        ready?: boolean;
        id: number;
        summary?: PodSummary;
        error?: string;
      }) => {
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
        else job.reject(new Error(reply.error ?? 'the pod list could not be read'));
      },
    );
    const fail = (error: unknown) => {
      if (thread.failed) return;
      thread.failed = true;
      started();
      if (!this.closing) this.warn(error);
      for (const job of thread.jobs.values()) {
        if (job.body.byteLength > 0) {
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
    worker.on('exit', code => fail(new Error(`thread exited with code ${code}`)));
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

import { LoggerService } from '@backstage/backend-plugin-api';
import {
  PodSummary,
  prunePod,
  summarizePods,
} from '@internal/plugin-health-common';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-platform-common';
import { ApiException } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterConfig } from '../config';
import { KubernetesConnection } from './KubernetesConnections';

/** How long the API server keeps one watch open; the next one resumes where it ended. */
const WATCH_TIMEOUT_SECONDS = 240;
/** A watch silent this much longer than its timeout is taken as lost. */
const WATCH_SILENCE_MARGIN_MS = 30_000;
/** Waits before reconnecting after a failure: the n-th failure waits the n-th entry. */
const WATCH_RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];
/** An identity that may not watch pods is asked again this much later. */
const WATCH_FORBIDDEN_RETRY_MS = 10 * 60_000;
/** A cluster nobody asked about for this long is no longer watched. */
const WATCH_IDLE_STOP_MS = 10 * 60_000;

export type PodWatchesOptions = {
  logger: LoggerService;
  getToken: (cluster: ClusterConfig) => Promise<string>;
  /** For tests: shorter waits, smaller pages. */
  retryMs?: number[];
  forbiddenRetryMs?: number;
  pageSize?: number;
};

/** A labelled pod, pruned, under its namespace/name. */
type Entry = { key: string; id: string; pod: unknown };

/** Pods per page of the initial list, as client-go's reflector asks. */
const LIST_PAGE_SIZE = 500;

class ClusterPodWatch {
  /** The kubernetes-id of each pod, by namespace/name. */
  private readonly ids = new Map<string, string>();
  /** The pruned pods of each kubernetes-id, by namespace/name. */
  private readonly byId = new Map<string, Map<string, unknown>>();
  private resourceVersion?: string;
  private readonly controller = new AbortController();
  private lastAsked: number;
  private warnedForbidden = false;
  synced = false;
  stopped = false;

  constructor(
    readonly cluster: ClusterConfig,
    private readonly options: PodWatchesOptions,
  ) {
    this.lastAsked = Date.now();
  }

  start() {
    this.run().catch(error =>
      this.options.logger.warn('Pod watch stopped', {
        cluster: this.cluster.name,
        error: `${error}`,
      }),
    );
  }

  stop() {
    this.stopped = true;
    this.synced = false;
    this.controller.abort();
  }

  summary(kubernetesId: string, now: Date): PodSummary | undefined {
    this.lastAsked = Date.now();
    if (!this.synced) return undefined;
    const pods = this.byId.get(kubernetesId);
    if (!pods) return summarizePods([], now);
    // In the order a list gives them, so the first message shown for a reason is the same.
    return summarizePods(
      [...pods.keys()].sort().map(key => pods.get(key)),
      now,
    );
  }

  private async run() {
    const { signal } = this.controller;
    let failures = 0;
    while (!this.stopped) {
      if (Date.now() - this.lastAsked > WATCH_IDLE_STOP_MS) {
        this.stop();
        return;
      }
      let connection: KubernetesConnection | undefined;
      try {
        connection = new KubernetesConnection(
          this.cluster,
          await this.options.getToken(this.cluster),
        );
        if (this.resourceVersion === undefined) {
          await this.list(connection, signal);
        }
        await this.watch(connection, signal);
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        this.synced = false;
        this.resourceVersion = undefined;
        // 410 Gone: the version watched from is older than the API server keeps; list again.
        // Once at once; a 410 again right after is waited for like any failure.
        if (
          error instanceof ApiException &&
          error.code === 410 &&
          failures === 0
        ) {
          failures += 1;
          continue;
        }
        // A 401 is retried like any failure: the next token may be accepted.
        const forbidden = error instanceof ApiException && error.code === 403;
        if (forbidden && !this.warnedForbidden) {
          this.warnedForbidden = true;
          this.options.logger.warn(
            `Health lists the pods of cluster ${this.cluster.name} on every read: its identity may not list and watch pods across namespaces (HTTP ${error.code})`,
          );
        }
        const retry = this.options.retryMs ?? WATCH_RETRY_MS;
        await sleep(
          forbidden
            ? this.options.forbiddenRetryMs ?? WATCH_FORBIDDEN_RETRY_MS
            : retry[Math.min(failures, retry.length - 1)],
          undefined,
          { signal, ref: false },
        ).catch(() => {});
        failures += 1;
      } finally {
        connection?.close();
      }
    }
  }

  private async list(connection: KubernetesConnection, signal: AbortSignal) {
    // In pages, as informers list: a cluster's labelled pods can be many megabytes of JSON.
    const entries: Entry[] = [];
    let version: unknown;
    let next: string | undefined;
    do {
      const query = new URLSearchParams({
        labelSelector: KUBERNETES_ID_LABEL,
        limit: String(this.options.pageSize ?? LIST_PAGE_SIZE),
        ...(next ? { continue: next } : {}),
      });
      const page = (await connection.getJson(
        `/api/v1/pods?${query}`,
        signal,
      )) as {
        metadata?: { resourceVersion?: unknown; continue?: unknown };
        items?: unknown;
      };
      for (const pod of Array.isArray(page?.items) ? page.items : []) {
        const entry = entryOf(pod);
        if (entry) entries.push(entry);
      }
      version = page?.metadata?.resourceVersion;
      const token = page?.metadata?.continue;
      next = typeof token === 'string' && token ? token : undefined;
    } while (next);
    if (typeof version !== 'string' || !version) {
      throw new Error('the pod list carried no resourceVersion to watch from');
    }
    this.ids.clear();
    this.byId.clear();
    for (const entry of entries) this.insert(entry);
    this.resourceVersion = version;
    this.synced = true;
  }

  private async watch(connection: KubernetesConnection, signal: AbortSignal) {
    const query = new URLSearchParams({
      labelSelector: KUBERNETES_ID_LABEL,
      watch: 'true',
      allowWatchBookmarks: 'true',
      resourceVersion: this.resourceVersion!,
      timeoutSeconds: String(WATCH_TIMEOUT_SECONDS),
    });
    await connection.watch(
      `/api/v1/pods?${query}`,
      signal,
      WATCH_TIMEOUT_SECONDS * 1000 + WATCH_SILENCE_MARGIN_MS,
      event => this.apply(event),
    );
  }

  private apply(event: unknown) {
    const { type, object } = (event ?? {}) as { type?: unknown; object?: any };
    if (type === 'ERROR') {
      throw new ApiException(
        Number(object?.code) || 500,
        `watch error: ${object?.message ?? 'unknown'}`,
        JSON.stringify(object ?? {}),
        {},
      );
    }
    const version = object?.metadata?.resourceVersion;
    if (type === 'ADDED' || type === 'MODIFIED') this.put(object);
    else if (type === 'DELETED') this.remove(keyOf(object));
    else if (type !== 'BOOKMARK') {
      throw new Error(`unexpected watch event ${String(type)}`);
    }
    if (typeof version === 'string' && version) this.resourceVersion = version;
  }

  private put(pod: unknown) {
    const entry = entryOf(pod);
    if (entry) this.insert(entry);
    else this.remove(keyOf(pod));
  }

  private insert({ key, id, pod }: Entry) {
    this.remove(key);
    this.ids.set(key, id);
    let pods = this.byId.get(id);
    if (!pods) this.byId.set(id, (pods = new Map()));
    pods.set(key, pod);
  }

  private remove(key: string) {
    const id = this.ids.get(key);
    if (id === undefined) return;
    this.ids.delete(key);
    const pods = this.byId.get(id);
    pods?.delete(key);
    if (pods?.size === 0) this.byId.delete(id);
  }
}

/**
 * Keeps the labelled pods of each cluster read with the backend's own identity in memory, from
 * one list and then a watch, as informers do: a health read then needs no pod list, which is
 * the largest and slowest answer a cluster gives (megabytes for a few thousand real pods).
 * Until a cluster's watch is in sync, or after it is lost, `summary` is undefined and the
 * caller lists the pods itself. Clusters with `authProvider: aks` are read with each user's
 * token, so every user sees only what AKS RBAC lets them: they are never watched.
 */
export class PodWatches {
  private readonly watches = new Map<string, ClusterPodWatch>();

  constructor(private readonly options: PodWatchesOptions) {}

  /** The pods of `kubernetesId` in `cluster` as the watch has them; undefined when it cannot say. */
  summary(
    cluster: ClusterConfig,
    kubernetesId: string,
    now: Date,
  ): PodSummary | undefined {
    if (cluster.authProvider === 'aks') return undefined;
    let watch = this.watches.get(cluster.name);
    if (watch && (watch.cluster !== cluster || watch.stopped)) {
      watch.stop();
      watch = undefined;
    }
    if (!watch) {
      watch = new ClusterPodWatch(cluster, this.options);
      this.watches.set(cluster.name, watch);
      watch.start();
    }
    return watch.summary(kubernetesId, now);
  }

  /** Whether the cluster's watch is in sync; for tests and the benchmark. */
  synced(cluster: ClusterConfig): boolean {
    return this.watches.get(cluster.name)?.synced ?? false;
  }

  close() {
    for (const watch of this.watches.values()) watch.stop();
    this.watches.clear();
  }
}

/** The entry of a labelled pod; undefined for a pod without the label. */
function entryOf(pod: unknown): Entry | undefined {
  const id = (pod as any)?.metadata?.labels?.[KUBERNETES_ID_LABEL];
  if (typeof id !== 'string') return undefined;
  return { key: keyOf(pod), id, pod: prunePod(pod) };
}

function keyOf(pod: unknown): string {
  const metadata = (pod as any)?.metadata;
  return `${metadata?.namespace ?? ''}/${metadata?.name ?? ''}`;
}

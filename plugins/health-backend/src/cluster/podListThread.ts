// The program of a pod list thread (see PodListSummarizer): it fetches a PodList with Node's
// own http(s) and a kept-alive agent per connection, or takes its bytes, and answers with the
// PodSummary alone, so the megabytes of JSON never reach the backend's request thread.
import { summarizePods, type PodSummary } from '@internal/plugin-health-common';
import http from 'node:http';
import https from 'node:https';
import type { MessagePort } from 'node:worker_threads';

/** This module's file, for the thread to load: the source in development, dist once built. */
export const POD_LIST_THREAD_MODULE = __filename;

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

/** What the calling thread posts. `now` is epoch milliseconds. */
export type ThreadMessage =
  | { abort: number }
  | { closeConnection: string }
  | (PodListRequest & { id: number; now: number })
  | { id: number; body: Uint8Array; now: number };

/** What the thread posts back. */
export type ThreadReply =
  | { ready: true }
  | {
      id: number;
      summary?: PodSummary;
      /** A parse failure, or a network failure with its code. */
      error?: string;
      code?: string;
      /** An answer other than 2xx, with its body. */
      status?: number;
      body?: string;
    };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Serves `port` until the thread is terminated. */
export function runPodListThread(port: MessagePort): void {
  const agents = new Map<string, http.Agent>();
  const requests = new Map<number, http.ClientRequest>();
  const reply = (message: ThreadReply) => port.postMessage(message);

  const summarize = (id: number, bytes: Buffer, now: number) => {
    try {
      const list = JSON.parse(bytes.toString('utf8')) as { items?: unknown };
      const items = Array.isArray(list?.items) ? list.items : [];
      reply({ id, summary: summarizePods(items, new Date(now)) });
    } catch (error) {
      reply({ id, error: messageOf(error) });
    }
  };

  const fetchList = (request: PodListRequest & { id: number; now: number }) => {
    const { id, url, headers, tls, connection, now } = request;
    const secure = url.startsWith('https:');
    let agent = agents.get(connection);
    if (!agent) {
      const options = { ...tls, keepAlive: true, timeout: 60_000 };
      agent = secure ? new https.Agent(options) : new http.Agent(options);
      agents.set(connection, agent);
    }
    const fail = (error: unknown) => {
      if (!requests.delete(id)) return;
      const code = (error as { code?: unknown })?.code;
      reply({
        id,
        error: messageOf(error),
        ...(typeof code === 'string' ? { code } : {}),
      });
    };
    const req = (secure ? https : http).get(url, { agent, headers }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        if (!requests.delete(id)) return;
        const bytes = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          reply({ id, status, body: bytes.toString('utf8') });
        } else {
          summarize(id, bytes, now);
        }
      });
    });
    req.on('error', error => {
      // A kept-alive socket the server had just closed: send the GET again on a new one.
      if (req.reusedSocket && (error as { code?: unknown })?.code === 'ECONNRESET' && requests.get(id) === req) {
        requests.delete(id);
        fetchList(request);
      } else {
        fail(error);
      }
    });
    requests.set(id, req);
  };

  port.on('message', (message: ThreadMessage) => {
    if ('abort' in message) {
      requests.get(message.abort)?.destroy();
      requests.delete(message.abort);
    } else if ('closeConnection' in message) {
      agents.get(message.closeConnection)?.destroy();
      agents.delete(message.closeConnection);
    } else if ('url' in message) {
      fetchList(message);
    } else {
      const { id, body, now } = message;
      summarize(
        id,
        Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        now,
      );
    }
  });
  reply({ ready: true });
}

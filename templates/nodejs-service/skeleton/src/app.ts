import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Mutable process state the probes report on. */
export interface AppState {
  /** False while starting up or draining: Kubernetes stops sending traffic. */
  ready: boolean;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export function createApp(state: AppState = { ready: true }): Server {
  const routes: Record<string, Handler> = {
    // Liveness: the event loop answers. Keep it free of dependency checks,
    // or a slow database gets every pod restarted at once.
    '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    // Readiness: may this pod receive traffic right now?
    '/readyz': (_req, res) =>
      state.ready
        ? sendJson(res, 200, { status: 'ready' })
        : sendJson(res, 503, { status: 'not ready' }),
    // Example route: replace with your own API.
    '/api/hello': (_req, res, url) => {
      const name = url.searchParams.get('name')?.trim() || 'world';
      sendJson(res, 200, { message: `Hello, ${name}!` });
    },
  };

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    if (!route) {
      sendJson(res, 404, { error: 'not found' });
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'method not allowed' });
    } else {
      route(req, res, url);
    }
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  // HEAD gets the headers only.
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

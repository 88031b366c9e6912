import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 in front of `target`, for seeing what a client sends and for
 * slowing it down: `onRequest` sees each request first, and a request is held `holdMs(req)`
 * milliseconds before it is passed on.
 */
export async function startHttpProxy(options: {
  target: string;
  onRequest?: (req: http.IncomingMessage) => void;
  holdMs?: (req: http.IncomingMessage) => number;
}) {
  const target = new URL(options.target);
  const server = http.createServer((req, res) => {
    options.onRequest?.(req);
    const forward = () => {
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        up => {
          res.writeHead(up.statusCode!, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    const hold = options.holdMs?.(req) ?? 0;
    if (hold > 0) setTimeout(forward, hold);
    else forward();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    /** `http://127.0.0.1:<port>`: the target's paths work under it. */
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

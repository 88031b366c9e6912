import http from 'http';
import type { AddressInfo } from 'net';

/**
 * An HTTP proxy on 127.0.0.1 in front of `target` that holds each request whose path matches
 * `slow` for `delayMs` before passing it on. A step that is quicker than a test can react to
 * it (a kill right after the step before it) is then still running when the test acts.
 */
export async function startDelayingProxy(options: {
  target: string;
  slow: RegExp;
  delayMs: number;
}) {
  const target = new URL(options.target);
  const server = http.createServer((req, res) => {
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
    if (options.slow.test(req.url ?? '')) setTimeout(forward, options.delayMs);
    else forward();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { LoggerService } from '@backstage/backend-plugin-api';
import { gitEnvironment } from './runGit';

/** CGI response headers larger than this mean something is badly wrong. */
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_STDERR_CHARS = 8 * 1024;

export interface GitHttpBackendRequest {
  /** Validated path below the project root, e.g. `/contoso/demo.git/info/refs`. */
  pathInfo: string;
  /** Built from validated values only, e.g. `service=git-receive-pack`. */
  queryString: string;
  /** Who is pushing; http-backend only enables receive-pack when this is set. */
  remoteUser: string;
}

/**
 * Serves Git smart HTTP by running `git http-backend` as a CGI program, so
 * clone, fetch and push behave exactly as against any real Git server.
 * Ref updates are atomic inside git itself: two racing pushes are resolved
 * there, and the loser gets an ordinary git rejection.
 */
export class GitHttpBackend {
  readonly #projectRoot: string;
  readonly #logger: LoggerService;

  constructor(options: { projectRoot: string; logger: LoggerService }) {
    this.#projectRoot = options.projectRoot;
    this.#logger = options.logger;
  }

  serve(
    req: IncomingMessage,
    res: ServerResponse,
    request: GitHttpBackendRequest,
  ): Promise<void> {
    const env = gitEnvironment({
      GIT_PROJECT_ROOT: this.#projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: request.pathInfo,
      QUERY_STRING: request.queryString,
      REMOTE_USER: request.remoteUser,
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
    });
    const contentType = req.headers['content-type'];
    if (contentType) env.CONTENT_TYPE = contentType;
    const contentLength = req.headers['content-length'];
    if (contentLength) env.CONTENT_LENGTH = contentLength;
    // git gzips large request bodies; http-backend inflates them itself.
    const contentEncoding = req.headers['content-encoding'];
    if (contentEncoding) env.HTTP_CONTENT_ENCODING = contentEncoding;
    // Lets clients negotiate protocol v2 (the git CLI's default).
    const gitProtocol = req.headers['git-protocol'];
    if (typeof gitProtocol === 'string') env.HTTP_GIT_PROTOCOL = gitProtocol;

    const logger = this.#logger;
    const fields = { path: request.pathInfo, method: req.method };

    return new Promise<void>((resolve, reject) => {
      const child = spawn('git', ['http-backend'], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });

      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        if (stderr.length < MAX_STDERR_CHARS) stderr += text;
      });

      // If the client goes away mid-body, destroying stdin gives git an EOF
      // and it aborts on its own; nothing is left half-applied.
      pipeline(req, child.stdin, error => {
        if (error) {
          logger.debug('Git request body was not fully delivered', {
            ...fields,
            error: error.message,
          });
        }
      });

      let head = Buffer.alloc(0);
      let headersSent = false;
      const onHeadData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const split = findHeaderEnd(head);
        if (!split) {
          if (head.length > MAX_HEADER_BYTES) {
            child.stdout.off('data', onHeadData);
            child.kill();
          }
          return;
        }
        child.stdout.off('data', onHeadData);
        child.stdout.pause();
        const { status, headers } = parseCgiHeaders(
          head.subarray(0, split.headerEnd).toString('latin1'),
        );
        res.statusCode = status;
        for (const [name, values] of groupHeaders(headers)) {
          res.setHeader(name, values.length === 1 ? values[0] : values);
        }
        headersSent = true;
        res.write(head.subarray(split.bodyStart));
        child.stdout.pipe(res);
      };
      child.stdout.on('data', onHeadData);

      // A client that disconnects during the response must not leave git
      // blocked on a full pipe: keep draining so it can finish cleanly.
      res.on('close', () => {
        if (!res.writableFinished) {
          child.stdout.unpipe(res);
          child.stdout.resume();
        }
      });

      child.on('error', reject);
      child.on('close', (exitCode, signal) => {
        if (exitCode !== 0) {
          logger.warn('git http-backend failed', {
            ...fields,
            exitCode,
            signal,
            stderr: stderr.trim(),
          });
        } else if (stderr.trim()) {
          logger.debug('git http-backend reported', {
            ...fields,
            stderr: stderr.trim(),
          });
        }
        if (!headersSent) {
          reject(
            new Error(
              `git http-backend produced no response (exit code ${exitCode}): ${stderr.trim()}`,
            ),
          );
          return;
        }
        resolve();
      });
    });
  }
}

function groupHeaders(headers: Array<[string, string]>): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const values = grouped.get(name) ?? [];
    values.push(value);
    grouped.set(name, values);
  }
  return grouped;
}

function findHeaderEnd(
  buffer: Buffer,
): { headerEnd: number; bodyStart: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) {
    return { headerEnd: crlf, bodyStart: crlf + 4 };
  }
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return undefined;
}

/** Parses CGI response headers; `Status: 404 Not Found` becomes the HTTP status. */
export function parseCgiHeaders(text: string): {
  status: number;
  headers: Array<[string, string]>;
} {
  let status = 200;
  const headers: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const code = parseInt(value, 10);
      if (code >= 100 && code < 600) status = code;
    } else {
      headers.push([name, value]);
    }
  }
  return { status, headers };
}

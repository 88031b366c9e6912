import { createHash, timingSafeEqual } from 'node:crypto';
import { pipeline } from 'node:stream';
import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { GitHttpBackend } from './service/GitHttpBackend';
import { GitRepositories } from './service/GitRepositories';
import {
  GitEndpoint,
  RepoName,
  decodePathSegments,
  parseGitRequestPath,
  parseGitService,
} from './service/repoPaths';

export interface BasicAuthCredentials {
  username: string;
  password: string;
}

export interface RouterOptions {
  repositories: GitRepositories;
  logger: LoggerService;
  /** Where clients reach this plugin, e.g. `http://localhost:7007/api/git-host`. */
  externalBaseUrl: string;
  /** When set, every route requires these HTTP Basic credentials. */
  basicAuth?: BasicAuthCredentials;
  /** Verifies the Backstage token a push must carry when basicAuth is not set. */
  auth: AuthService;
}

/**
 * Who is pushing, from a Backstage token sent as the HTTP Basic password
 * (what Git clients send) or as a bearer token; undefined when there is none
 * or it is not valid.
 */
async function pusherOf(req: express.Request, auth: AuthService): Promise<string | undefined> {
  const header = req.headers.authorization ?? '';
  const bearer = header.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  const basic = header.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i)?.[1];
  const token =
    bearer ?? (basic && Buffer.from(basic, 'base64').toString('utf8').replace(/^[^:]*:/, ''));
  if (!token) return undefined;
  try {
    const credentials = await auth.authenticate(token);
    if (auth.isPrincipal(credentials, 'user')) return credentials.principal.userEntityRef;
    if (auth.isPrincipal(credentials, 'service')) return credentials.principal.subject;
  } catch {
    // An invalid or expired token is the same as none.
  }
  return undefined;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { repositories, logger, externalBaseUrl, basicAuth, auth } = options;
  const gitHttpBackend = new GitHttpBackend({
    projectRoot: repositories.root,
    logger,
  });
  const router = Router();

  // Express quietly turns `/api/git-host//tmp/x.git` into `/tmp/x.git`;
  // an absolute-looking path is refused instead of reinterpreted.
  router.use((req, _res, next) => {
    const pathname = req.originalUrl.split('?')[0];
    if (pathname.includes('//')) {
      throw new InputError('Path must not contain empty segments');
    }
    next();
  });

  if (basicAuth) {
    router.use(createBasicAuthMiddleware(basicAuth));
  }

  router.get('/repos', async (_req, res) => {
    const repos = await repositories.list();
    res.json({
      repositories: repos.map(repo => ({
        name: repo.name,
        cloneUrl: `${externalBaseUrl}/${repo.name}.git`,
      })),
    });
  });

  router.get(/^\/raw\//, async (req, res) => {
    const segments = decodePathSegments(req.path.slice('/raw/'.length));
    const file = await repositories.findFile(segments);
    const etag = `"${file.oid}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', String(file.size));
    await new Promise<void>(resolve => {
      pipeline(repositories.openBlob(file), res, error => {
        if (error) {
          logger.warn('Failed to stream file', {
            repository: file.repo.name,
            ref: file.ref,
            path: file.path,
            error: error.message,
          });
        }
        resolve();
      });
    });
  });

  const serveGit = async (
    req: express.Request,
    res: express.Response,
    expected: GitEndpoint,
  ) => {
    const { repo, endpoint } = parseGitRequestPath(req.path);
    if (endpoint !== expected) {
      throw new NotFoundError(
        `Unsupported Git endpoint ${req.method} ${endpoint}`,
      );
    }
    let queryString = '';
    const pushing =
      endpoint === 'git-receive-pack' ||
      (endpoint === 'info/refs' && req.query.service === 'git-receive-pack');
    // Reads stay open (the catalog's URL reader sends no token); writes never are.
    let remoteUser = basicAuth?.username;
    if (pushing && !basicAuth) {
      remoteUser = await pusherOf(req, auth);
      if (!remoteUser) {
        logger.warn('Refused an unauthenticated push', { path: req.path });
        res.setHeader('WWW-Authenticate', 'Basic realm="git-host"');
        res
          .status(401)
          .type('text/plain')
          .send('Pushing needs a Backstage token as the password (or gitHost.basicAuth credentials)\n');
        return;
      }
    }
    if (endpoint === 'info/refs') {
      const service = parseGitService(req.query.service);
      queryString = `service=${service}`;
      if (
        service === 'git-receive-pack' &&
        (await repositories.createEmpty(repo))
      ) {
        logger.info('Created repository on first push', {
          repository: repo.name,
        });
      }
    }
    await assertExists(repositories, repo);

    logger.debug('Serving Git request', {
      repository: repo.name,
      endpoint,
      remoteUser,
    });
    await gitHttpBackend.serve(req, res, {
      pathInfo: `/${repo.name}.git/${endpoint}`,
      queryString,
      remoteUser: remoteUser ?? 'reader',
    });
    if (endpoint === 'git-receive-pack') {
      logger.info('Handled push', { repository: repo.name, remoteUser });
    }
  };

  router.get(/\.git\/info\/refs$/, (req, res) =>
    serveGit(req, res, 'info/refs'),
  );
  router.post(/\.git\/git-upload-pack$/, (req, res) =>
    serveGit(req, res, 'git-upload-pack'),
  );
  router.post(/\.git\/git-receive-pack$/, (req, res) =>
    serveGit(req, res, 'git-receive-pack'),
  );

  return router;
}

async function assertExists(repositories: GitRepositories, repo: RepoName) {
  if (!(await repositories.exists(repo))) {
    throw new NotFoundError(`Repository ${repo.name} not found`);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Requires HTTP Basic credentials. Both values are hashed before the
 * constant-time comparison so that their lengths leak nothing either.
 */
function createBasicAuthMiddleware(
  expected: BasicAuthCredentials,
): express.RequestHandler {
  const expectedUser = digest(expected.username);
  const expectedPassword = digest(expected.password);
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = header.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
    if (match) {
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        const userOk = timingSafeEqual(
          digest(decoded.slice(0, colon)),
          expectedUser,
        );
        const passwordOk = timingSafeEqual(
          digest(decoded.slice(colon + 1)),
          expectedPassword,
        );
        if (userOk && passwordOk) {
          next();
          return;
        }
      }
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="git-host"');
    res.status(401).type('text/plain').send('Authentication required\n');
  };
}

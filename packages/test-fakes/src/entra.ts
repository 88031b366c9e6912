import crypto from 'crypto';
import fs from 'fs';
import https from 'https';
import os from 'os';
import path from 'path';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { selfSignedCertificate } from './certificates';
import { FakeGraphDirectory, graphHandler } from './graph';

/** A person in the fake tenant, as Graph's /me returns them. */
export type EntraUser = {
  id: string;
  displayName: string;
  mail: string;
  userPrincipalName: string;
};

// Microsoft Graph's application id: the audience of tokens for Graph.
const GRAPH_AUDIENCE = '00000003-0000-0000-c000-000000000000';

/**
 * Entra ID (login.microsoftonline.com: authorize, token, JWKS, OpenID metadata) and the
 * Graph /me endpoints on one HTTPS port of 127.0.0.1, answering as the real ones do for
 * the OAuth 2.0 authorization code flow that Backstage's Microsoft provider runs. The
 * authorize page is an account picker; `login_hint` picks an account straight away, as it
 * does at Microsoft.
 */
export async function startFakeEntra(options: {
  port: number;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The people who can sign in, as Graph's /me returns them. */
  users: EntraUser[];
  /**
   * The tenant's directory for the msgraph org provider, read with an app
   * token from the client credentials grant (User.Read.All, GroupMember.Read.All).
   */
  directory?: FakeGraphDirectory;
}) {
  const { tenantId, clientId, clientSecret, users } = options;
  const hosts = ['login.microsoftonline.com', 'graph.microsoft.com'];
  const { key, cert } = selfSignedCertificate({ hosts });
  const signing = await generateKeyPair('RS256');
  const jwk = {
    ...(await exportJWK(signing.publicKey)),
    kid: 'fake-entra-1',
    use: 'sig',
    alg: 'RS256',
  };
  const issuer = `https://login.microsoftonline.com/${tenantId}/v2.0`;
  const codes = new Map<string, { user: EntraUser; redirectUri: string }>();
  const refreshTokens = new Map<string, EntraUser>();
  const requests: string[] = [];

  const tokensFor = async (user: EntraUser, scope: string) => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, aud: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(aud)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 3600)
        .sign(signing.privateKey);
    const refresh = crypto.randomBytes(24).toString('hex');
    refreshTokens.set(refresh, user);
    return {
      token_type: 'Bearer',
      scope,
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: await sign(
        {
          oid: user.id,
          tid: tenantId,
          scp: 'openid profile email User.Read',
          upn: user.userPrincipalName,
          name: user.displayName,
        },
        GRAPH_AUDIENCE,
      ),
      refresh_token: refresh,
      id_token: await sign(
        {
          oid: user.id,
          tid: tenantId,
          sub: user.id,
          email: user.mail,
          name: user.displayName,
          preferred_username: user.userPrincipalName,
        },
        clientId,
      ),
    };
  };

  // An application token, as the client credentials grant issues for Graph.
  const appToken = async () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      oid: clientId,
      tid: tenantId,
      appid: clientId,
      roles: ['User.Read.All', 'GroupMember.Read.All'],
    })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(GRAPH_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(signing.privateKey);
  };
  const verifiedAppTokens = new Set<string>();
  const directory =
    options.directory &&
    graphHandler({
      directory: options.directory,
      authorize: header =>
        verifiedAppTokens.has(header?.replace(/^Bearer /, '') ?? ''),
      pageSize: 2,
      origin: () => 'https://graph.microsoft.com',
    });

  const userOfAccessToken = (header?: string) => {
    const token = header?.replace(/^Bearer /, '');
    if (!token) return undefined;
    try {
      const payload = JSON.parse(
        Buffer.from(token.split('.')[1], 'base64url').toString(),
      );
      return users.find(u => u.id === payload.oid);
    } catch {
      return undefined;
    }
  };

  const readBody = (req: import('http').IncomingMessage) =>
    new Promise<URLSearchParams>(resolve => {
      let body = '';
      req.on('data', d => (body += d));
      req.on('end', () => resolve(new URLSearchParams(body)));
    });

  const json = (
    res: import('http').ServerResponse,
    status: number,
    body: unknown,
  ) => {
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
    });
    res.end(JSON.stringify(body));
  };

  const server = https.createServer({ key, cert }, async (req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    const url = new URL(req.url ?? '/', `https://${host}`);
    requests.push(`${req.method} ${host}${url.pathname}`);
    const base = `/${tenantId}`;

    if (host === 'graph.microsoft.com') {
      const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
      if (
        directory &&
        url.pathname !== '/v1.0/me' &&
        url.pathname !== '/v1.0/me/'
      ) {
        const verified = await jwtVerify(token, signing.publicKey, {
          issuer,
          audience: GRAPH_AUDIENCE,
        }).catch(() => undefined);
        if (verified?.payload.roles) verifiedAppTokens.add(token);
        directory(req, res);
        return;
      }
      const user = userOfAccessToken(req.headers.authorization);
      if (!user) {
        json(res, 401, {
          error: {
            code: 'InvalidAuthenticationToken',
            message: 'Access token is empty.',
          },
        });
      } else if (url.pathname.replace(/\/$/, '') === '/v1.0/me') {
        json(res, 200, {
          '@odata.context':
            'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
          businessPhones: [],
          givenName: user.displayName.split(' ')[0],
          surname: user.displayName.split(' ').slice(1).join(' '),
          jobTitle: null,
          mobilePhone: null,
          officeLocation: null,
          preferredLanguage: 'en-US',
          ...user,
        });
      } else {
        json(res, 404, {
          error: {
            code: 'ImageNotFound',
            message:
              'Exception of type Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException was thrown.',
          },
        });
      }
      return;
    }

    if (
      req.method === 'GET' &&
      url.pathname === `${base}/v2.0/.well-known/openid-configuration`
    ) {
      json(res, 200, {
        issuer,
        authorization_endpoint: `https://login.microsoftonline.com${base}/oauth2/v2.0/authorize`,
        token_endpoint: `https://login.microsoftonline.com${base}/oauth2/v2.0/token`,
        jwks_uri: `https://login.microsoftonline.com${base}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
      return;
    }
    if (
      req.method === 'GET' &&
      url.pathname === `${base}/discovery/v2.0/keys`
    ) {
      json(res, 200, { keys: [jwk] });
      return;
    }
    if (
      req.method === 'GET' &&
      url.pathname === `${base}/oauth2/v2.0/authorize`
    ) {
      const q = url.searchParams;
      if (
        q.get('client_id') !== clientId ||
        q.get('response_type') !== 'code'
      ) {
        res.writeHead(400, { 'Content-Type': 'text/html' });
        res.end(
          `<p>AADSTS700016: Application with identifier '${q.get(
            'client_id',
          )}' was not found in the directory.</p>`,
        );
        return;
      }
      const hint = q.get('login_hint');
      const user =
        hint &&
        users.find(u => u.userPrincipalName === hint || u.mail === hint);
      if (!user) {
        // The account picker: one link per account, each with its login_hint.
        const links = users
          .map(u => {
            const next = new URL(url);
            next.searchParams.set('login_hint', u.userPrincipalName);
            return `<li><a href="${next.pathname}${next.search}">${u.displayName}</a> (${u.userPrincipalName})</li>`;
          })
          .join('');
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><title>Sign in to your account</title><h1>Pick an account</h1><ul>${links}</ul>`,
        );
        return;
      }
      const code = crypto.randomBytes(16).toString('hex');
      codes.set(code, { user, redirectUri: q.get('redirect_uri')! });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      if (q.get('state')) back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { Location: back.toString() });
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === `${base}/oauth2/v2.0/token`) {
      const form = await readBody(req);
      const basic = req.headers.authorization?.startsWith('Basic ')
        ? Buffer.from(req.headers.authorization.slice(6), 'base64')
            .toString()
            .split(':')
            .map(decodeURIComponent)
        : [];
      const id = form.get('client_id') ?? basic[0];
      const secret = form.get('client_secret') ?? basic[1];
      if (id !== clientId || secret !== clientSecret) {
        json(res, 401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        });
        return;
      }
      const scope = form.get('scope') ?? 'openid profile email User.Read';
      if (form.get('grant_type') === 'client_credentials' && directory) {
        if (
          !scope.split(' ').includes('https://graph.microsoft.com/.default')
        ) {
          json(res, 400, {
            error: 'invalid_scope',
            error_description: `AADSTS70011: The provided value for scope ${scope} is not valid.`,
          });
          return;
        }
        json(res, 200, {
          token_type: 'Bearer',
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: await appToken(),
        });
        return;
      }
      if (form.get('grant_type') === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!grant || grant.redirectUri !== form.get('redirect_uri')) {
          json(res, 400, {
            error: 'invalid_grant',
            error_description:
              'AADSTS70000: The provided authorization code is invalid or has expired.',
          });
          return;
        }
        json(res, 200, await tokensFor(grant.user, scope));
        return;
      }
      if (form.get('grant_type') === 'refresh_token') {
        const user = refreshTokens.get(form.get('refresh_token') ?? '');
        if (!user) {
          json(res, 400, {
            error: 'invalid_grant',
            error_description: 'AADSTS70008: The refresh token has expired.',
          });
          return;
        }
        json(res, 200, await tokensFor(user, scope));
        return;
      }
      json(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    json(res, 404, {
      error: 'not_found',
      error_description: `${req.method} ${url.pathname}`,
    });
  });
  await new Promise<void>(resolve =>
    server.listen(options.port, '127.0.0.1', resolve),
  );

  const otherKey = await generateKeyPair('RS256');
  /** A workload-identity token as Entra would issue it to a CI pipeline, or a forged or stale one. */
  const mint = (o: {
    subject: string;
    audience: string;
    expiresInSeconds?: number;
    signedByOtherKey?: boolean;
  }) => {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (o.expiresInSeconds ?? 600);
    return new SignJWT({ oid: o.subject, tid: tenantId, azp: o.subject })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(o.subject)
      .setAudience(o.audience)
      .setIssuedAt(Math.min(now, exp - 60))
      .setNotBefore(Math.min(now, exp - 60))
      .setExpirationTime(exp)
      .sign(o.signedByOtherKey ? otherKey.privateKey : signing.privateKey);
  };

  const certFile = path.join(os.tmpdir(), `fake-entra-${process.pid}.pem`);
  fs.writeFileSync(certFile, cert);
  return {
    /** The CA a client must trust: NODE_EXTRA_CA_CERTS for the backend. */
    certFile,
    issuer,
    mint,
    /** For E2E_HOST_MAP and Chromium's --host-resolver-rules. */
    hosts,
    requests,
    stop: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { generateKeyPair, KeyLike, SignJWT } from 'jose';
import { selfSignedCertificate } from '../certificates';
import { openIdConfiguration } from './fakeAzure';

/**
 * A projected ServiceAccount token as the workload identity webhook mounts it, for the portal's
 * ServiceAccount: what a fake is told to accept as `assertion`. Its signature is not checked.
 */
export const SERVICE_ACCOUNT_TOKEN = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(
  JSON.stringify({ sub: 'system:serviceaccount:idp-portal:idp-portal' }),
).toString('base64url')}.c2lnbmF0dXJl`;

/** A token request the fake answered, as the client sent it. */
export type WorkloadIdentityGrant = {
  clientId: string;
  scope: string;
  assertion: string;
  accessToken?: string;
};

/**
 * Entra ID's token endpoint for Azure workload identity on one HTTPS port of 127.0.0.1:
 * the client credentials grant with a federated assertion (the Kubernetes ServiceAccount
 * token that AZURE_FEDERATED_TOKEN_FILE holds), as @azure/identity's
 * WorkloadIdentityCredential and ManagedIdentityCredential send it when
 * AZURE_AUTHORITY_HOST points here. Only `assertion` for `clientId` is accepted, and only
 * for the resources in `resources`; the access token is a JWT shaped like Entra's v1 tokens
 * for Azure resources.
 */
export class FakeWorkloadIdentity {
  readonly grants: WorkloadIdentityGrant[] = [];
  readonly ca: string;
  /** The `oid` of every token, as a managed identity has one object id. */
  readonly objectId: string;
  private readonly server: https.Server;
  private readonly sockets = new Set<Socket>();
  private signingKey?: KeyLike;

  private constructor(
    readonly options: {
      tenantId: string;
      clientId: string;
      /** The federated token the pod presents (the file's content). */
      assertion: string;
      /** Resources tokens may be asked for, e.g. https://ossrdbms-aad.database.windows.net. */
      resources: string[];
      /** Lifetime of the tokens issued, in seconds. */
      expiresIn?: number;
      /** The managed identity's object id, the tokens' `oid`; one per fake by default. */
      objectId?: string;
    },
  ) {
    const { key, cert } = selfSignedCertificate();
    this.ca = cert;
    this.objectId = options.objectId ?? randomUUID();
    this.server = https.createServer({ key, cert }, (req, res) => {
      this.handle(req, res).catch(error =>
        json(res, 500, { error: String(error) }),
      );
    });
    this.server.on('secureConnection', socket => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(
    options: FakeWorkloadIdentity['options'],
  ): Promise<FakeWorkloadIdentity> {
    const fake = new FakeWorkloadIdentity(options);
    fake.signingKey = (await generateKeyPair('RS256')).privateKey;
    await new Promise<void>(resolve =>
      fake.server.listen(0, '127.0.0.1', resolve),
    );
    return fake;
  }

  /** The value for AZURE_AUTHORITY_HOST. */
  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * What the workload identity webhook gives a pod of this identity: the variables
   * @azure/identity reads, and the federated token file (with the accepted assertion, in a new
   * temporary folder) that AZURE_FEDERATED_TOKEN_FILE names.
   */
  podEnvironment(): {
    AZURE_CLIENT_ID: string;
    AZURE_TENANT_ID: string;
    AZURE_FEDERATED_TOKEN_FILE: string;
    AZURE_AUTHORITY_HOST: string;
  } {
    const file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'wi-')),
      'azure-identity-token',
    );
    fs.writeFileSync(file, this.options.assertion);
    return {
      AZURE_CLIENT_ID: this.options.clientId,
      AZURE_TENANT_ID: this.options.tenantId,
      AZURE_FEDERATED_TOKEN_FILE: file,
      AZURE_AUTHORITY_HOST: this.url,
    };
  }

  /**
   * Makes this process trust the fake's certificate, as a pod trusts Entra ID (@azure/identity
   * has no CA option for it); returns the undo.
   */
  trustInThisProcess(): () => void {
    tls.setDefaultCACertificates([
      ...tls.getCACertificates('default'),
      this.ca,
    ]);
    return () => tls.setDefaultCACertificates(tls.getCACertificates('bundled'));
  }

  /** Access tokens issued so far. */
  get issued(): string[] {
    return this.grants.flatMap(g => (g.accessToken ? [g.accessToken] : []));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const { tenantId } = this.options;
    const pathname = new URL(req.url ?? '/', this.url).pathname;
    if (pathname === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      return json(res, 200, openIdConfiguration(this.url, tenantId));
    }
    if (
      pathname === `/${tenantId}/oauth2/v2.0/token` &&
      req.method === 'POST'
    ) {
      return this.token(res, new URLSearchParams(await readBody(req)));
    }
    return json(res, 404, {
      error: 'invalid_request',
      error_description: `AADSTS90002: No route ${pathname}.`,
    });
  }

  private async token(res: http.ServerResponse, form: URLSearchParams) {
    const { tenantId, clientId, assertion, resources } = this.options;
    const grant: WorkloadIdentityGrant = {
      clientId: form.get('client_id') ?? '',
      scope: form.get('scope') ?? '',
      assertion: form.get('client_assertion') ?? '',
    };
    this.grants.push(grant);
    const trace = {
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
      timestamp: new Date().toISOString(),
    };
    if (
      form.get('grant_type') !== 'client_credentials' ||
      form.get('client_assertion_type') !==
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' ||
      grant.clientId !== clientId ||
      grant.assertion !== assertion
    ) {
      return json(res, 400, {
        error: 'invalid_request',
        error_description: `AADSTS70021: No matching federated identity record found for presented assertion. Trace ID: ${trace.trace_id}`,
        error_codes: [70021],
        ...trace,
      });
    }
    const resource = resources.find(r =>
      grant.scope.split(' ').includes(`${r}/.default`),
    );
    if (!resource) {
      return json(res, 400, {
        error: 'invalid_scope',
        error_description: `AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${grant.scope} is not valid. Trace ID: ${trace.trace_id}`,
        error_codes: [70011],
        ...trace,
      });
    }
    const expiresIn = this.options.expiresIn ?? 3599;
    const now = Math.floor(Date.now() / 1000);
    const objectId = this.objectId;
    grant.accessToken = await new SignJWT({
      aio: randomUUID(),
      appid: clientId,
      appidacr: '2',
      idp: `https://sts.windows.net/${tenantId}/`,
      oid: objectId,
      sub: objectId,
      tid: tenantId,
      ver: '1.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'fake-entra-wi-1' })
      .setIssuer(`https://sts.windows.net/${tenantId}/`)
      .setAudience(resource)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + expiresIn)
      .sign(this.signingKey!);
    return json(res, 200, {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: grant.accessToken,
    });
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', d => (body += d));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

import { randomUUID } from 'node:crypto';
import https from 'node:https';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { selfSignedCertificate } from '../certificates';
import getMetricExample from './fixtures/GetMetric.2024-02-01.json';
import alertsListExample from './fixtures/Alerts_List.2021-04-01.json';

/** A resource as ARM lists it (`GenericResourceExpanded`). */
export type FakeResource = {
  id: string;
  name: string;
  type: string;
  location: string;
  tags?: Record<string, string>;
};

export type FakeAlert = {
  name: string;
  severity: 'Sev0' | 'Sev1' | 'Sev2' | 'Sev3' | 'Sev4';
  alertState: 'New' | 'Acknowledged' | 'Closed';
  monitorCondition: 'Fired' | 'Resolved';
  targetResource: string;
  startDateTime: string;
};

export type FakeAzureOptions = {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  resources: FakeResource[];
  alerts: FakeAlert[];
  /** Page size of ARM resource lists; smaller lists come with a nextLink. */
  pageSize?: number;
};

export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
};

/**
 * Metrics each resource type has in Azure Monitor, with their units (from "Supported metrics
 * with Azure Monitor"). A request for any other name fails as Azure Monitor fails it.
 */
const SUPPORTED_METRICS: Record<string, Record<string, string>> = {
  'microsoft.web/sites': {
    Requests: 'Count',
    Http5xx: 'Count',
    Http4xx: 'Count',
    HttpResponseTime: 'Seconds',
    AverageResponseTime: 'Seconds',
    CpuTime: 'Seconds',
    MemoryWorkingSet: 'Bytes',
  },
  'microsoft.insights/components': {
    'requests/count': 'Count',
    'requests/failed': 'Count',
    'requests/duration': 'MilliSeconds',
    'exceptions/count': 'Count',
  },
  'microsoft.containerservice/managedclusters': {
    node_cpu_usage_percentage: 'Percent',
    node_memory_working_set_percentage: 'Percent',
    kube_pod_status_ready: 'Count',
  },
  'microsoft.dbforpostgresql/flexibleservers': {
    cpu_percent: 'Percent',
    memory_percent: 'Percent',
    active_connections: 'Count',
  },
  'microsoft.cache/redis': {
    percentProcessorTime: 'Percent',
    usedmemorypercentage: 'Percent',
    connectedclients: 'Count',
  },
  'microsoft.servicebus/namespaces': {
    IncomingRequests: 'Count',
    ServerErrors: 'Count',
    ThrottledRequests: 'Count',
  },
  'microsoft.storage/storageaccounts': {
    Transactions: 'Count',
    UsedCapacity: 'Bytes',
  },
};

/**
 * A plausible average per 1-minute sample of each metric, in its unit, for a small service
 * (about 4 requests a second, 85 ms responses, a few failures): the charts then look like a
 * real service's, and counts stay below the requests they are part of.
 */
const TYPICAL_AVERAGE: Record<string, number> = {
  Requests: 240,
  Http5xx: 1.2,
  Http4xx: 6,
  HttpResponseTime: 0.085,
  AverageResponseTime: 0.09,
  CpuTime: 8.4,
  MemoryWorkingSet: 367_001_600,
  'requests/count': 230,
  'requests/failed': 1,
  'requests/duration': 88,
  'exceptions/count': 0.6,
  node_cpu_usage_percentage: 38,
  node_memory_working_set_percentage: 61,
  kube_pod_status_ready: 6,
  cpu_percent: 23,
  memory_percent: 41,
  active_connections: 18,
  percentProcessorTime: 12,
  usedmemorypercentage: 22,
  connectedclients: 9,
  IncomingRequests: 120,
  ServerErrors: 0.2,
  ThrottledRequests: 0,
  Transactions: 40,
  UsedCapacity: 5_368_709_120,
};

/** One metric's value at the i-th of three points: rising 5% per point, as a busy afternoon. */
function fakeMetricValue(
  name: string,
  aggregation: 'average' | 'total',
  i: number,
): number {
  const average = (TYPICAL_AVERAGE[name] ?? 10) * (1 + 0.05 * i);
  // A total sums the 5 one-minute samples of a PT5M interval.
  const value = aggregation === 'total' ? average * 5 : average;
  return Math.round(value * 1000) / 1000;
}

/**
 * Entra ID, Azure Resource Manager, Azure Monitor metrics and Azure Monitor alerts on one
 * HTTPS port of 127.0.0.1, answering with payloads shaped like the real services' (the
 * metrics and alerts bodies are built from the azure-rest-api-specs examples).
 *
 * HTTPS because the Azure SDK refuses to send bearer tokens over HTTP and MSAL refuses
 * an http:// authority; the certificate is self-signed and handed to the clients as their CA.
 */
/** Entra ID's OpenID configuration document for a tenant, as a fake at `url` serves it. */
export function openIdConfiguration(url: string, tenantId: string) {
const base = `${url}/${tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: [
      'code',
      'id_token',
      'code id_token',
      'id_token token',
    ],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

export class FakeAzure {
  readonly requests: RecordedRequest[] = [];
  /** Answer every ARM request with 429 and Retry-After: 7. */
  throttle = false;
  /** Refuse the client secret at the token endpoint, as Entra ID does once it has expired. */
  tokenFailure = false;
  tokensIssued = 0;
  readonly ca: string;
  private readonly issued = new Set<string>();
  private readonly server: https.Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    public options: FakeAzureOptions,
    tls: { key: string; cert: string } = selfSignedCertificate(),
  ) {
    const { key, cert } = tls;
    this.ca = cert;
    this.server = https.createServer({ key, cert }, (req, res) => {
      this.handle(req, res).catch(error => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { code: 'FakeBug', message: String(error) },
          }),
        );
      });
    });
    this.server.on('secureConnection', socket => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(
    options: FakeAzureOptions,
    listen: { port?: number; tls?: { key: string; cert: string } } = {},
  ): Promise<FakeAzure> {
    const fake = new FakeAzure(options, listen.tls);
    await new Promise<void>(resolve =>
      fake.server.listen(listen.port ?? 0, '127.0.0.1', resolve),
    );
    return fake;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  /** ARM requests (not the token endpoint) whose path matches. */
  armRequests(pathPattern: RegExp): RecordedRequest[] {
    return this.requests.filter(
      r => r.path.startsWith('/subscriptions/') && pathPattern.test(r.path),
    );
  }

  private async handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams.entries());
    const pathname = decodeURIComponent(url.pathname);
    this.requests.push({ method: req.method ?? 'GET', path: pathname, query });
    const body = await readBody(req);

    const { tenantId } = this.options;
    if (pathname === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      return json(res, 200, openIdConfiguration(this.url, this.options.tenantId));
    }
    if (
      pathname === `/${tenantId}/oauth2/v2.0/token` &&
      req.method === 'POST'
    ) {
      return this.token(res, new URLSearchParams(body));
    }
    if (pathname.startsWith('/subscriptions/')) {
      return this.arm(req, res, pathname, query);
    }
    return json(res, 404, {
      error: { code: 'NotFound', message: `No route ${pathname}` },
    });
  }

  private token(res: http.ServerResponse, form: URLSearchParams) {
    const { clientId, clientSecret } = this.options;
    const expectedScope = `${this.url}/.default`;
    if (
      this.tokenFailure ||
      form.get('client_id') !== clientId ||
      form.get('client_secret') !== clientSecret
    ) {
      return json(res, 401, {
        error: 'invalid_client',
        error_description: `AADSTS7000222: The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app. Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
        error_codes: [7000222],
        timestamp: new Date().toISOString(),
        trace_id: randomUUID(),
        correlation_id: randomUUID(),
      });
    }
    if (
      form.get('grant_type') !== 'client_credentials' ||
      !(form.get('scope') ?? '').split(' ').includes(expectedScope)
    ) {
      return json(res, 400, {
        error: 'invalid_scope',
        error_description: `AADSTS70011: The provided value for scope ${form.get(
          'scope',
        )} is not valid.`,
        error_codes: [70011],
      });
    }
    const accessToken = `fake-arm-token-${randomUUID()}`;
    this.issued.add(accessToken);
    this.tokensIssued++;
    // Tokens that are already due for renewal make every call go back to the token
    // endpoint, so a test can expire the client secret between two calls.
    return json(res, 200, {
      token_type: 'Bearer',
      expires_in: 1,
      ext_expires_in: 1,
      access_token: accessToken,
    });
  }

  private arm(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    pathname: string,
    query: Record<string, string>,
  ) {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.issued.has(token)) {
      return json(res, 401, {
        error: {
          code: 'InvalidAuthenticationToken',
          message: 'The access token is invalid.',
        },
      });
    }
    if (this.throttle) {
      return json(
        res,
        429,
        {
          error: {
            code: 'SubscriptionRequestsThrottled',
            message:
              "Number of 'read' requests for subscription actor exceeded. Please try again after '7' seconds after additional tokens are available.",
          },
        },
        {
          'Retry-After': '7',
          'x-ms-ratelimit-remaining-subscription-reads': '0',
        },
      );
    }

    let match = /^\/subscriptions\/([^/]+)\/resources$/i.exec(pathname);
    if (match) {
      const subscriptionId = match[1];
      const tag = /^tagName eq '([^']*)' and tagValue eq '([^']*)'$/.exec(
        query.$filter ?? '',
      );
      if (query.$filter && !tag) {
        return json(res, 400, {
          error: {
            code: 'InvalidFilterInQueryString',
            message: 'Invalid $filter',
          },
        });
      }
      const found = this.inSubscription(subscriptionId).filter(
        r => !tag || r.tags?.[tag[1]] === tag[2],
      );
      return this.page(res, found, pathname, query);
    }
    match =
      /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/resources$/i.exec(
        pathname,
      );
    if (match) {
      const prefix =
        `/subscriptions/${match[1]}/resourceGroups/${match[2]}/`.toLowerCase();
      const found = this.options.resources.filter(r =>
        r.id.toLowerCase().startsWith(prefix),
      );
      return this.page(res, found, pathname, query);
    }
    match =
      /^(\/subscriptions\/.+)\/providers\/Microsoft\.Insights\/metrics$/i.exec(
        pathname,
      );
    if (match) return this.metrics(res, match[1], query);
    match =
      /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.AlertsManagement\/alerts$/i.exec(
        pathname,
      );
    if (match) return this.alerts(res, match[1], query);
    return json(res, 404, {
      error: { code: 'InvalidResourceType', message: `No route ${pathname}` },
    });
  }

  private inSubscription(subscriptionId: string): FakeResource[] {
    const prefix = `/subscriptions/${subscriptionId}/`.toLowerCase();
    return this.options.resources.filter(r =>
      r.id.toLowerCase().startsWith(prefix),
    );
  }

  /** The ARM list envelope, `{ value, nextLink }`, paged with a $skiptoken. */
  private page(
    res: http.ServerResponse,
    all: FakeResource[],
    pathname: string,
    query: Record<string, string>,
  ) {
    const size = this.options.pageSize ?? 100;
    const skip = Number(query.$skiptoken ?? 0);
    const value = all.slice(skip, skip + size);
    let nextLink: string | undefined;
    if (skip + size < all.length) {
      const next = new URLSearchParams({
        ...query,
        $skiptoken: String(skip + size),
      });
      nextLink = `${this.url}${pathname}?${next}`;
    }
    return json(res, 200, { value, ...(nextLink ? { nextLink } : {}) });
  }

  private metrics(
    res: http.ServerResponse,
    resourceId: string,
    query: Record<string, string>,
  ) {
    const resource = this.options.resources.find(
      r => r.id.toLowerCase() === resourceId.toLowerCase(),
    );
    if (!resource) {
      return json(res, 404, {
        error: {
          code: 'ResourceNotFound',
          message: `The Resource '${resourceId}' was not found.`,
        },
      });
    }
    const supported = SUPPORTED_METRICS[resource.type.toLowerCase()] ?? {};
    const names = (query.metricnames ?? '').split(',').filter(Boolean);
    const unknown = names.find(n => !(n in supported));
    if (unknown) {
      return json(res, 400, {
        code: 'BadRequest',
        message: `Failed to find metric configuration for provider: ${resource.type
          .split('/')[0]
          .toLowerCase()}, resource Type: ${resource.type
          .split('/')[1]
          .toLowerCase()}, metric: ${unknown}, Valid metrics: ${Object.keys(
          supported,
        ).join(',')}`,
      });
    }
    const aggregations = (query.aggregation ?? 'average')
      .split(',')
      .map(a => a.toLowerCase());
    const [start, end] = (query.timespan ?? '').split('/');
    const example = getMetricExample.responses['200'].body;
    const template = example.value[0];
    const startMs = Date.parse(start);
    const endMs = Date.parse(end);
    // Three points, from the start to the end of the requested window, show the series' shape.
    const stamps = [0, 1, 2].map(i =>
      new Date(startMs + ((endMs - startMs) * i) / 2).toISOString(),
    );
    const value = names.map(name => ({
      ...template,
      id: `${resource.id}/providers/Microsoft.Insights/metrics/${name}`,
      name: { value: name, localizedValue: name },
      displayDescription: `${name} of ${resource.name}`,
      unit: supported[name],
      timeseries: [
        {
          metadatavalues: [],
          data: stamps.map((timeStamp, i) => ({
            timeStamp,
            ...(aggregations.includes('average')
              ? { average: fakeMetricValue(name, 'average', i) }
              : {}),
            ...(aggregations.includes('total')
              ? { total: fakeMetricValue(name, 'total', i) }
              : {}),
          })),
        },
      ],
    }));
    return json(res, 200, {
      cost: example.cost,
      timespan: query.timespan,
      interval: query.interval ?? 'PT1M',
      namespace: resource.type.toLowerCase(),
      resourceregion: resource.location,
      value,
    });
  }

  private alerts(
    res: http.ServerResponse,
    subscriptionId: string,
    query: Record<string, string>,
  ) {
    const template = alertsListExample.responses['200'].body.value[0];
    const prefix = `/subscriptions/${subscriptionId}/`.toLowerCase();
    const value = this.options.alerts
      .filter(a => a.targetResource.toLowerCase().startsWith(prefix))
      .filter(
        a =>
          !query.targetResource ||
          a.targetResource.toLowerCase() === query.targetResource.toLowerCase(),
      )
      .filter(
        a =>
          !query.monitorCondition ||
          a.monitorCondition === query.monitorCondition,
      )
      .map(alert => {
        const target = alert.targetResource.split('/');
        const id = `${
          alert.targetResource
        }/providers/Microsoft.AlertsManagement/alerts/${alertGuid(alert)}`;
        return {
          ...template,
          id,
          name: alert.name,
          properties: {
            ...template.properties,
            essentials: {
              ...template.properties.essentials,
              severity: alert.severity,
              signalType: 'Metric',
              alertState: alert.alertState,
              monitorCondition: alert.monitorCondition,
              monitorService: 'Platform',
              targetResource: alert.targetResource,
              targetResourceName: target[target.length - 1],
              targetResourceGroup: target[4],
              targetResourceType: target[target.length - 2],
              startDateTime: alert.startDateTime,
              lastModifiedDateTime: alert.startDateTime,
            },
          },
        };
      });
    return json(res, 200, { value });
  }
}

function alertGuid(alert: FakeAlert): string {
  let hash = 0;
  for (const c of `${alert.targetResource}${alert.name}`) {
    hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  }
  const hex = hash.toString(16).padStart(8, '0');
  return `${hex}-d9d9-478b-95c9-b789d6502100`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-ms-request-id': randomUUID(),
    ...headers,
  });
  res.end(JSON.stringify(body));
}

import http from 'node:http';
import { AddressInfo } from 'node:net';
import * as MicrosoftGraph from '@microsoft/microsoft-graph-types';

export type FakeGraphUser = MicrosoftGraph.User & { id: string };

export type FakeGraphGroup = MicrosoftGraph.Group & {
  id: string;
  /** Object ids of the users and groups that are direct members. */
  memberIds: string[];
};

/** The tenant the fake Graph answers for. */
export type FakeGraphDirectory = {
  organization: MicrosoftGraph.Organization & { id: string };
  users: FakeGraphUser[];
  groups: FakeGraphGroup[];
};

/** One request as the fake Graph received it. */
export type FakeGraphRequest = {
  path: string;
  query: Record<string, string>;
};

export type FakeGraph = {
  /** What `catalog.providers.microsoftGraphOrg.<id>.target` points at. */
  target: string;
  requests: FakeGraphRequest[];
  close(): Promise<void>;
};

// What Graph v1.0 returns for a user when the request has no $select.
// accountEnabled is not among them, which is why the client must ask for it.
const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

// Query options this fake implements. Anything else is refused, so a change in
// what the upstream client sends fails the test instead of passing unnoticed.
const SUPPORTED_QUERY_OPTIONS = new Set([
  '$filter',
  '$select',
  '$top',
  '$skiptoken',
]);

// Graph pages server-side; $top only lowers the page size.
const DEFAULT_PAGE_SIZE = 100;

class GraphError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

// Graph's types are interfaces; the fake handles them as plain records.
type Item = Record<string, unknown>;

/**
 * Microsoft Graph v1.0 on 127.0.0.1: the users, groups, group members and
 * organization endpoints the catalog's msgraph org provider reads, with
 * `$filter` (a subset), `$select`, `$top` and `@odata.nextLink` paging, behind a
 * bearer token check.
 */
/**
 * Microsoft Graph v1.0 as a request handler: the users, groups, group members
 * and organization endpoints the catalog's msgraph org provider reads, with
 * `$filter` (a subset), `$select`, `$top` and `@odata.nextLink` paging. It
 * answers 401 unless `authorize` accepts the Authorization header.
 */
export function graphHandler(options: {
  directory: FakeGraphDirectory;
  authorize: (authorization: string | undefined) => boolean;
  /** The most items the fake puts in one page, whatever `$top` asks for. */
  pageSize: number;
  /** Where clients reach it, for `@odata.nextLink`: `https://graph.microsoft.com`. */
  origin: () => string;
  requests?: FakeGraphRequest[];
}): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const { directory, authorize, pageSize } = options;
  const requests = options.requests ?? [];

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const origin = options.origin();
    const url = new URL(req.url ?? '/', origin);
    const query = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, query });

    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json;odata.metadata=minimal',
      });
      res.end(JSON.stringify(body));
    };

    try {
      if (req.method !== 'GET') {
        throw new GraphError(
          405,
          'Request_BadRequest',
          `${req.method} is not supported`,
        );
      }
      if (!authorize(req.headers.authorization)) {
        throw new GraphError(
          401,
          'InvalidAuthenticationToken',
          'Access token is empty or invalid.',
        );
      }
      for (const option of Object.keys(query)) {
        if (option.startsWith('$') && !SUPPORTED_QUERY_OPTIONS.has(option)) {
          throw new GraphError(
            400,
            'Request_UnsupportedQuery',
            `fake Graph does not implement ${option}`,
          );
        }
      }
      send(200, route(url, query, origin));
    } catch (error) {
      if (error instanceof GraphError) {
        send(error.status, {
          error: { code: error.code, message: error.message },
        });
      } else {
        send(500, {
          error: { code: 'InternalServerError', message: String(error) },
        });
      }
    }
  };
  const usersById = new Map(directory.users.map(u => [u.id, u]));
  const groupsById = new Map(directory.groups.map(g => [g.id, g]));

  function route(
    url: URL,
    query: Record<string, string>,
    origin: string,
  ): unknown {
    const segments = url.pathname.split('/').filter(Boolean);
    if (segments[0] !== 'v1.0') {
      throw new GraphError(
        404,
        'BadRequest',
        `Invalid version: ${segments[0]}`,
      );
    }
    const [resource, id, navigation, cast, ...rest] = segments.slice(1);

    if (resource === 'organization' && id && !navigation) {
      if (id !== directory.organization.id) {
        throw notFound(id);
      }
      return {
        '@odata.context': `${origin}/v1.0/$metadata#organization/$entity`,
        ...directory.organization,
      };
    }

    if (resource === 'users' && !id) {
      return page(
        origin,
        url,
        query,
        directory.users,
        'users',
        defaultUserView,
      );
    }

    if (
      resource === 'users' &&
      id &&
      (navigation === 'photos' || navigation === 'photo')
    ) {
      // None of the fake people has a photo; Graph answers 404 for those.
      throw new GraphError(
        404,
        'ImageNotFound',
        'Exception of type ImageNotFoundException was thrown.',
      );
    }

    if (resource === 'groups' && !id) {
      return page(
        origin,
        url,
        query,
        directory.groups.map(toGroup),
        'groups',
        item => item,
      );
    }

    if (
      resource === 'groups' &&
      id &&
      navigation === 'members' &&
      rest.length === 0
    ) {
      const group = groupsById.get(id);
      if (!group) {
        throw notFound(id);
      }
      if (query.$filter) {
        throw new GraphError(
          400,
          'Request_UnsupportedQuery',
          'fake Graph does not filter group members',
        );
      }
      const users = group.memberIds.flatMap(m => usersById.get(m) ?? []);
      if (cast === 'microsoft.graph.user') {
        return page(origin, url, query, users, 'users', defaultUserView);
      }
      if (cast === undefined) {
        // A directoryObjects collection: each member says what it is.
        const members = group.memberIds.map(memberId => {
          const user = usersById.get(memberId);
          const member = groupsById.get(memberId);
          if (user) {
            return {
              '@odata.type': '#microsoft.graph.user',
              ...defaultUserView(user),
            };
          }
          if (member) {
            return {
              '@odata.type': '#microsoft.graph.group',
              ...toGroup(member),
            };
          }
          throw new Error(`group ${id} has unknown member ${memberId}`);
        });
        return page(
          origin,
          url,
          query,
          members,
          'directoryObjects',
          item => item,
        );
      }
    }

    throw new GraphError(
      400,
      'BadRequest',
      `Resource not found for the segment '${url.pathname}'.`,
    );
  }

  function page(
    origin: string,
    url: URL,
    query: Record<string, string>,
    items: object[],
    entitySet: string,
    defaultView: (item: Item) => Item,
  ) {
    const records = items as Item[];
    const matching = query.$filter
      ? records.filter(compileFilter(query.$filter))
      : records;
    const select = query.$select?.split(',').map(s => s.trim());
    const size = Math.min(Number(query.$top ?? DEFAULT_PAGE_SIZE), pageSize);
    const offset = query.$skiptoken ? readSkipToken(query.$skiptoken) : 0;
    const value = matching
      .slice(offset, offset + size)
      .map(item =>
        select ? selectProperties(item, select) : defaultView(item),
      );

    const body: Item = {
      '@odata.context': `${origin}/v1.0/$metadata#${entitySet}${
        select ? `(${select.join(',')})` : ''
      }`,
      value,
    };
    if (offset + size < matching.length) {
      // Graph keeps the original query in the next link and adds an opaque token.
      const next = new URL(url);
      next.searchParams.set(
        '$skiptoken',
        Buffer.from(`offset:${offset + size}`).toString('base64url'),
      );
      body['@odata.nextLink'] = next.toString();
    }
    return body;
  }

  return handle;
}

/** {@link graphHandler} on its own plain-HTTP port of 127.0.0.1, behind a static bearer token. */
export async function startFakeGraph(options: {
  directory: FakeGraphDirectory;
  accessToken: string;
  pageSize: number;
}): Promise<FakeGraph> {
  const requests: FakeGraphRequest[] = [];
  let origin = '';
  const server = http.createServer(
    graphHandler({
      directory: options.directory,
      authorize: header => header === `Bearer ${options.accessToken}`,
      pageSize: options.pageSize,
      origin: () => origin,
      requests,
    }),
  );
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    target: `${origin}/v1.0`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolve()));
      }),
  };
}

function defaultUserView(user: object): Item {
  return selectProperties(user as Item, DEFAULT_USER_PROPERTIES);
}

function toGroup(group: FakeGraphGroup): Item {
  const view: Item = { ...group };
  delete view.memberIds;
  return view;
}

function notFound(id: string) {
  return new GraphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

// Graph returns a selected property that has no value as null.
function selectProperties(item: Item, properties: string[]): Item {
  return Object.fromEntries(properties.map(p => [p, item[p] ?? null]));
}

function readSkipToken(token: string): number {
  const match = /^offset:(\d+)$/.exec(
    Buffer.from(token, 'base64url').toString(),
  );
  if (!match) {
    throw new GraphError(400, 'Request_BadRequest', 'Invalid $skiptoken');
  }
  return Number(match[1]);
}

// Clauses joined by `and`: `prop eq 'text'`, `prop eq true|false` and
// `startswith(prop,'text')`, compared case-insensitively as Graph does.
const CLAUSE =
  /^\s*(?:(\w+)\s+eq\s+(?:'((?:[^']|'')*)'|(true|false))|startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\))\s*/i;

function compileFilter(filter: string): (item: Item) => boolean {
  const clauses: Array<(item: Item) => boolean> = [];
  let remaining = filter;
  for (;;) {
    const match = CLAUSE.exec(remaining);
    if (!match) {
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `fake Graph cannot filter by: ${filter}`,
      );
    }
    const [whole, eqProperty, eqText, eqBoolean, prefixProperty, prefix] =
      match;
    if (eqProperty && eqBoolean) {
      const expected = eqBoolean.toLowerCase() === 'true';
      clauses.push(item => item[eqProperty] === expected);
    } else if (eqProperty) {
      const expected = unquote(eqText).toLowerCase();
      clauses.push(
        item => String(item[eqProperty] ?? '').toLowerCase() === expected,
      );
    } else {
      const expected = unquote(prefix).toLowerCase();
      clauses.push(item =>
        String(item[prefixProperty] ?? '')
          .toLowerCase()
          .startsWith(expected),
      );
    }
    remaining = remaining.slice(whole.length);
    if (remaining === '') {
      break;
    }
    const and = /^and\s+/i.exec(remaining);
    if (!and) {
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `fake Graph cannot filter by: ${filter}`,
      );
    }
    remaining = remaining.slice(and[0].length);
  }
  return item => clauses.every(clause => clause(item));
}

function unquote(text: string): string {
  return text.replace(/''/g, "'");
}

import { mockCredentials } from '@backstage/backend-test-utils';
import http from 'http';

export type CreatedRepository = { host: 'github' | 'azure'; owner: string; name: string };

type Recorded = { host: 'github' | 'azure'; number: number; head: string; base: string; title: string; body: string };

async function readBody(req: http.IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** GitHub takes a token as `token <t>` (Octokit) or `Bearer <t>`. */
function isGitHubToken(authorization: string | undefined) {
  return /^(token|bearer) ghp-test$/i.test(authorization ?? '');
}

/** Azure DevOps takes a PAT as the password of Basic auth, whatever the user name. */
function isAzurePat(authorization: string | undefined) {
  const basic = authorization?.match(/^Basic (.+)$/i);
  const decoded = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
  return decoded.slice(decoded.indexOf(':') + 1) === 'ado-pat';
}

const GIT_AREA_ID = '4e080c62-fa21-4fbc-8fef-2a10a2b38049';

/** What Azure DevOps answers to OPTIONS /{org}/_apis/{area}: where each resource lives, and its versions. */
const AZURE_LOCATIONS: Record<string, object[]> = {
  location: [
    { id: 'e81700f7-3be2-46de-8624-2eb35882fcaa', area: 'Location', resourceName: 'ResourceAreas', routeTemplate: '_apis/{resource}/{areaId}', resourceVersion: 1, minVersion: '3.2', maxVersion: '7.2', releasedVersion: '7.1' },
  ],
  git: [
    { id: '225f7195-f9c7-4d14-ab28-a83f7ff77e1f', area: 'git', resourceName: 'repositories', routeTemplate: '{project}/_apis/{area}/{resource}/{repositoryId}', resourceVersion: 1, minVersion: '1.0', maxVersion: '7.2', releasedVersion: '7.1' },
    { id: '9946fd70-0d40-406e-b686-b4744cbbcc37', area: 'git', resourceName: 'pullRequests', routeTemplate: '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{pullRequestId}', resourceVersion: 2, minVersion: '1.0', maxVersion: '7.2', releasedVersion: '7.1' },
  ],
};

/**
 * A GitHub and Azure DevOps stand-in on 127.0.0.1: their pull-request REST APIs
 * (payloads shaped like the real ones) and Git over HTTP, proxied to the
 * embedded Git host so pushes are real.
 */
export async function startFakeForge(gitHostBase: string) {
  const pullRequests: Recorded[] = [];
  const repositories: CreatedRepository[] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    // Azure DevOps clients first ask where an area's resources live (paths are case-insensitive there).
    const azLocations = url.pathname.match(/^\/([^/]+)\/_apis\/([^/]+)$/);
    if (azLocations && req.method === 'OPTIONS') {
      const value = AZURE_LOCATIONS[azLocations[2].toLowerCase()];
      if (!value) return json(res, 404, { message: `No API area ${azLocations[2]}` });
      return json(res, 200, { count: value.length, value });
    }
    const azAreas = url.pathname.match(/^\/([^/]+)\/_apis\/resourceareas$/i);
    if (azAreas && req.method === 'GET') {
      const value = [{ id: GIT_AREA_ID, name: 'git', locationUrl: `http://${req.headers.host}/${azAreas[1]}/` }];
      return json(res, 200, { count: value.length, value });
    }
    const ghCreate = url.pathname.match(/^\/api\/v3\/orgs\/([^/]+)\/repos$/);
    if (ghCreate && req.method === 'POST') {
      if (!isGitHubToken(req.headers.authorization)) {
        return json(res, 401, { message: 'Bad credentials' });
      }
      const body = await readBody(req);
      if (repositories.some(r => r.host === 'github' && r.name === body.name)) {
        return json(res, 422, {
          message: 'Repository creation failed.',
          errors: [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }],
        });
      }
      repositories.push({ host: 'github', owner: ghCreate[1], name: body.name });
      return json(res, 201, {
        name: body.name,
        full_name: `${ghCreate[1]}/${body.name}`,
        private: body.private,
        html_url: `https://github.com/${ghCreate[1]}/${body.name}`,
        clone_url: `https://github.com/${ghCreate[1]}/${body.name}.git`,
        default_branch: 'main',
      });
    }
    const azCreate = url.pathname.match(/^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories$/i);
    if (azCreate && req.method === 'POST') {
      if (!isAzurePat(req.headers.authorization)) {
        return json(res, 401, { message: 'TF400813: The user is not authorized to access this resource.' });
      }
      const body = await readBody(req);
      if (repositories.some(r => r.host === 'azure' && r.name === body.name)) {
        return json(res, 409, { message: `TF400948: A Git repository with the name ${body.name} already exists.` });
      }
      repositories.push({ host: 'azure', owner: `${azCreate[1]}/${azCreate[2]}`, name: body.name });
      return json(res, 201, {
        id: '5febef5a-833d-4e14-b9c0-14cb638f91e6',
        name: body.name,
        project: { name: azCreate[2] },
        remoteUrl: `https://dev.azure.com/${azCreate[1]}/${azCreate[2]}/_git/${body.name}`,
      });
    }
    const gh = url.pathname.match(/^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/pulls$/);
    if (gh) {
      if (!isGitHubToken(req.headers.authorization)) {
        return json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      }
      const [, owner, repo] = gh;
      const toGitHub = (p: Recorded) => ({
        number: p.number,
        state: 'open',
        html_url: `https://github.com/${owner}/${repo}/pull/${p.number}`,
        head: { ref: p.head, label: `${owner}:${p.head}` },
        base: { ref: p.base },
        title: p.title,
        body: p.body,
      });
      const open = pullRequests.filter(p => p.host === 'github');
      if (req.method === 'GET') {
        const head = url.searchParams.get('head')?.split(':')[1];
        return json(res, 200, open.filter(p => !head || p.head === head).map(toGitHub));
      }
      const body = await readBody(req);
      if (open.some(p => p.head === body.head)) {
        return json(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${body.head}.` }],
        });
      }
      const pr: Recorded = { host: 'github', number: pullRequests.length + 1, ...body };
      pullRequests.push(pr);
      return json(res, 201, toGitHub(pr));
    }
    const az = url.pathname.match(/^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/pullrequests$/i);
    if (az) {
      if (!isAzurePat(req.headers.authorization)) {
        return json(res, 401, { message: 'TF400813: The user is not authorized to access this resource.' });
      }
      const toAzure = (p: Recorded) => ({
        pullRequestId: p.number,
        status: 'active',
        sourceRefName: `refs/heads/${p.head}`,
        targetRefName: `refs/heads/${p.base}`,
        title: p.title,
        description: p.body,
        repository: { name: az[3], project: { name: az[2] } },
      });
      const open = pullRequests.filter(p => p.host === 'azure');
      if (req.method === 'GET') {
        const source = url.searchParams.get('searchCriteria.sourceRefName')?.replace('refs/heads/', '');
        // Every pull request here is active; the status filter is a name or PullRequestStatus's number.
        const status = url.searchParams.get('searchCriteria.status');
        const matches = !status || ['active', '1', 'all', '4'].includes(status.toLowerCase());
        const value = open.filter(p => matches && (!source || p.head === source)).map(toAzure);
        return json(res, 200, { value, count: value.length });
      }
      const body = await readBody(req);
      const head = body.sourceRefName.replace('refs/heads/', '');
      if (open.some(p => p.head === head)) {
        return json(res, 409, {
          message: 'TF401179: An active pull request for the source and target branch already exists.',
          typeKey: 'GitPullRequestExistsException',
        });
      }
      const pr: Recorded = {
        host: 'azure',
        number: 100 + pullRequests.length,
        head,
        base: body.targetRefName.replace('refs/heads/', ''),
        title: body.title,
        body: body.description,
      };
      pullRequests.push(pr);
      return json(res, 201, toAzure(pr));
    }
    // Git: /<owner>/<repo>.git/... (GitHub) and /<org>/<project>/_git/<repo>/... (Azure DevOps).
    const git =
      url.pathname.match(/^\/[^/]+\/([^/]+?)\.git(\/.*)$/) ??
      url.pathname.match(/^\/[^/]+\/[^/]+\/_git\/([^/]+?)(\/.*)$/);
    if (!git) return json(res, 404, { message: 'Not Found' });
    const target = new URL(`${gitHostBase}/${git[1]}.git${git[2]}${url.search}`);
    // The forge checks its own credentials, then pushes on to the embedded host as a backend would.
    const forgeAuth = [`Basic ${Buffer.from('x-access-token:ghp-test').toString('base64')}`, `Basic ${Buffer.from('notempty:ado-pat').toString('base64')}`];
    const headers: Record<string, unknown> = { ...req.headers, host: target.host };
    if (forgeAuth.includes(String(req.headers.authorization))) {
      headers.authorization = `Basic ${Buffer.from(`backstage:${mockCredentials.service.token()}`).toString('base64')}`;
    }
    const upstream = http.request(
      target,
      { method: req.method, headers: headers as any },
      up => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
    return undefined;
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as any).port}`;
  return {
    host,
    pullRequests,
    repositories,
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}

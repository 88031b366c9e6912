import {
  DefaultAzureDevOpsCredentialsProvider,
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { InputError } from '@backstage/errors';

export type PullRequest = { url: string; number: number; created: boolean };

export type PullRequestOptions = {
  repoUrl: string;
  head: string;
  base: string;
  title: string;
  body: string;
  integrations: ScmIntegrationRegistry;
};

async function expectJson(res: Response, what: string) {
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw new Error(`${what} failed: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  return res.json();
}

async function github(opts: PullRequestOptions): Promise<PullRequest> {
  const integration = opts.integrations.github.byUrl(opts.repoUrl)!;
  const api = integration.config.apiBaseUrl ?? 'https://api.github.com';
  const [owner, repo] = new URL(opts.repoUrl).pathname
    .replace(/^\//, '')
    .replace(/\.git$/, '')
    .split('/');
  const { token } = await DefaultGithubCredentialsProvider.fromIntegrations(
    opts.integrations,
  ).getCredentials({ url: opts.repoUrl });
  const headers = {
    Accept: 'application/vnd.github+json',
    'Content-Type': 'application/json',
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  };
  const res = await fetch(`${api}/repos/${owner}/${repo}/pulls`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ title: opts.title, body: opts.body, head: opts.head, base: opts.base }),
  });
  if (res.status === 422) {
    // Already open for this branch: a re-run finds it instead of failing.
    const open = await expectJson(
      await fetch(
        `${api}/repos/${owner}/${repo}/pulls?state=open&head=${encodeURIComponent(`${owner}:${opts.head}`)}`,
        { headers },
      ),
      'Looking up the open pull request',
    );
    if (open.length > 0) return { url: open[0].html_url, number: open[0].number, created: false };
  }
  const pr = await expectJson(res, 'Opening the GitHub pull request');
  return { url: pr.html_url, number: pr.number, created: true };
}

async function azure(opts: PullRequestOptions): Promise<PullRequest> {
  const url = new URL(opts.repoUrl);
  const match = url.pathname.match(/^\/([^/]+)\/([^/]+)\/_git\/([^/]+?)(\.git)?$/);
  if (!match) {
    throw new InputError(
      `${opts.repoUrl} is not an Azure DevOps repository URL (https://dev.azure.com/<org>/<project>/_git/<repo>)`,
    );
  }
  const [, org, project, repo] = match;
  const credentials = await DefaultAzureDevOpsCredentialsProvider.fromIntegrations(
    opts.integrations,
  ).getCredentials({ url: opts.repoUrl });
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (credentials?.type === 'pat') {
    headers.Authorization = `Basic ${Buffer.from(`:${credentials.token}`).toString('base64')}`;
  } else if (credentials) {
    headers.Authorization = `Bearer ${credentials.token}`;
  }
  const api = `${url.origin}/${org}/${project}/_apis/git/repositories/${repo}/pullrequests`;
  const res = await fetch(`${api}?api-version=7.1`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      sourceRefName: `refs/heads/${opts.head}`,
      targetRefName: `refs/heads/${opts.base}`,
      title: opts.title,
      description: opts.body,
    }),
  });
  const webUrl = `${url.origin}/${org}/${project}/_git/${repo}`;
  if (res.status === 409) {
    const found = await expectJson(
      await fetch(
        `${api}?searchCriteria.sourceRefName=${encodeURIComponent(`refs/heads/${opts.head}`)}&searchCriteria.status=active&api-version=7.1`,
        { headers },
      ),
      'Looking up the active pull request',
    );
    const pr = found.value?.[0];
    if (pr) return { url: `${webUrl}/pullrequest/${pr.pullRequestId}`, number: pr.pullRequestId, created: false };
  }
  const pr = await expectJson(res, 'Opening the Azure DevOps pull request');
  return { url: `${webUrl}/pullrequest/${pr.pullRequestId}`, number: pr.pullRequestId, created: true };
}

/** Opens a pull request on GitHub or Azure DevOps, or finds the one already open for the branch. */
export async function openPullRequest(opts: PullRequestOptions): Promise<PullRequest> {
  if (opts.integrations.github.byUrl(opts.repoUrl)) return github(opts);
  if (opts.integrations.azure.byUrl(opts.repoUrl)) return azure(opts);
  throw new InputError(
    `Pull requests need a GitHub or Azure DevOps integration for ${opts.repoUrl}; this host only takes direct pushes. Remove gitops.environments[].pullRequest or configure the integration.`,
  );
}

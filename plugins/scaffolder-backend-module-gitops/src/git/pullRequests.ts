import { ScmIntegrationRegistry } from '@backstage/integration';
import { InputError } from '@backstage/errors';
import { PullRequestStatus } from 'azure-devops-node-api/interfaces/GitInterfaces';
import { azureGitClient, githubClient } from './forgeClients';
import { describeForgeError, statusOf } from './forgeErrors';

export type PullRequest = { url: string; number: number; created: boolean };

export type PullRequestOptions = {
  repoUrl: string;
  head: string;
  base: string;
  title: string;
  body: string;
  integrations: ScmIntegrationRegistry;
};

async function github(opts: PullRequestOptions): Promise<PullRequest> {
  const [owner, repo] = new URL(opts.repoUrl).pathname
    .replace(/^\//, '')
    .replace(/\.git$/, '')
    .split('/');
  const what = `Opening a pull request from ${opts.head} on the GitHub repository ${owner}/${repo}`;
  const octokit = await githubClient(opts.repoUrl, opts.integrations);
  try {
    const { data } = await octokit.rest.pulls.create({
      owner,
      repo,
      head: opts.head,
      base: opts.base,
      title: opts.title,
      body: opts.body,
    });
    return { url: data.html_url, number: data.number, created: true };
  } catch (error) {
    if (statusOf(error) !== 422) throw describeForgeError(error, what);
    // Already open for this branch: a re-run finds it instead of failing.
    const { data: open } = await octokit.rest.pulls
      .list({ owner, repo, state: 'open', head: `${owner}:${opts.head}` })
      .catch(e => {
        throw describeForgeError(e, `Looking up the open pull request from ${opts.head} on ${owner}/${repo}`);
      });
    if (open.length > 0) return { url: open[0].html_url, number: open[0].number, created: false };
    throw describeForgeError(error, what);
  }
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
  const webUrl = `${url.origin}/${org}/${project}/_git/${repo}`;
  const what = `Opening a pull request from ${opts.head} on the Azure DevOps repository ${org}/${project}/${repo}`;
  const sourceRefName = `refs/heads/${opts.head}`;
  let pr;
  try {
    const git = await azureGitClient(`${url.origin}/${org}`, opts.repoUrl, opts.integrations);
    try {
      pr = await git.createPullRequest(
        {
          sourceRefName,
          targetRefName: `refs/heads/${opts.base}`,
          title: opts.title,
          description: opts.body,
        },
        repo,
        project,
      );
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      // An active pull request for the branch: a re-run finds it instead of failing.
      const [active] = await git.getPullRequests(
        repo,
        { sourceRefName, status: PullRequestStatus.Active },
        project,
      );
      if (!active) throw error;
      return { url: `${webUrl}/pullrequest/${active.pullRequestId}`, number: active.pullRequestId!, created: false };
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw describeForgeError(error, what);
  }
  // The client answers a 404 with nothing rather than an error.
  if (!pr?.pullRequestId) throw describeForgeError({ statusCode: 404 }, what);
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

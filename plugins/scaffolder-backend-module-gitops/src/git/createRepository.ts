import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { azureGitClient, githubClient } from './forgeClients';
import { describeForgeError, statusOf } from './forgeErrors';

/** Where a new service repository lives, derived from `gitops.repositories.baseUrl`. */
export type RepositoryLocation = {
  host: 'github' | 'azure' | 'plain';
  remoteUrl: string;
};

export function repositoryLocation(
  baseUrl: string,
  name: string,
  integrations: ScmIntegrationRegistry,
): RepositoryLocation {
  if (integrations.github.byUrl(baseUrl)) {
    return { host: 'github', remoteUrl: `${baseUrl}/${name}.git` };
  }
  if (integrations.azure.byUrl(baseUrl)) {
    return { host: 'azure', remoteUrl: `${baseUrl}/_git/${name}` };
  }
  // A plain Git host that creates repositories on first push (the embedded git-host).
  return { host: 'plain', remoteUrl: `${baseUrl}/${name}.git` };
}

/**
 * Creates an empty repository on GitHub (organisation, else the token's user) or
 * Azure DevOps. Returns false when it already exists; plain hosts need nothing.
 */
export async function createRepository(
  location: RepositoryLocation,
  baseUrl: string,
  name: string,
  description: string | undefined,
  integrations: ScmIntegrationRegistry,
): Promise<boolean> {
  if (location.host === 'github') {
    const owner = new URL(baseUrl).pathname.replace(/^\/|\/$/g, '');
    const octokit = await githubClient(baseUrl, integrations);
    const repository = { name, description, private: true, auto_init: false };
    let failure: unknown;
    try {
      await octokit.rest.repos.createInOrg({ org: owner, ...repository });
      return true;
    } catch (error) {
      failure = error;
    }
    if (statusOf(failure) === 404) {
      // The owner is a user, not an organisation.
      try {
        await octokit.rest.repos.createForAuthenticatedUser(repository);
        return true;
      } catch (error) {
        failure = error;
      }
    }
    if (statusOf(failure) === 422) return false;
    throw describeForgeError(failure, `Creating the GitHub repository ${owner}/${name}`);
  }
  if (location.host === 'azure') {
    const url = new URL(baseUrl);
    const [org, project] = url.pathname.replace(/^\//, '').split('/');
    const what = `Creating the Azure DevOps repository ${org}/${project}/${name}`;
    let created;
    try {
      const git = await azureGitClient(`${url.origin}/${org}`, baseUrl, integrations);
      created = await git.createRepository({ name }, project);
    } catch (error) {
      if (statusOf(error) === 409) return false;
      if (error instanceof InputError) throw error;
      throw describeForgeError(error, what);
    }
    // The client answers a 404 (no such project) with nothing rather than an error.
    if (!created) throw describeForgeError({ statusCode: 404 }, what);
    return true;
  }
  return true;
}

import {
  DefaultAzureDevOpsCredentialsProvider,
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';

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

async function failed(res: Response, what: string): Promise<never> {
  const text = await res.text().catch(() => '');
  throw new Error(`${what} failed: HTTP ${res.status} ${text.slice(0, 300)}`);
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
    const integration = integrations.github.byUrl(baseUrl)!;
    const api = integration.config.apiBaseUrl ?? 'https://api.github.com';
    const owner = new URL(baseUrl).pathname.replace(/^\/|\/$/g, '');
    const { token } = await DefaultGithubCredentialsProvider.fromIntegrations(
      integrations,
    ).getCredentials({ url: baseUrl });
    const headers = {
      Accept: 'application/vnd.github+json',
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    };
    const body = JSON.stringify({ name, description, private: true, auto_init: false });
    let res = await fetch(`${api}/orgs/${owner}/repos`, { method: 'POST', headers, body });
    if (res.status === 404) {
      // The owner is a user, not an organisation.
      res = await fetch(`${api}/user/repos`, { method: 'POST', headers, body });
    }
    if (res.status === 422) return false;
    if (!res.ok) await failed(res, `Creating the GitHub repository ${owner}/${name}`);
    return true;
  }
  if (location.host === 'azure') {
    const url = new URL(baseUrl);
    const [org, project] = url.pathname.replace(/^\//, '').split('/');
    const credentials = await DefaultAzureDevOpsCredentialsProvider.fromIntegrations(
      integrations,
    ).getCredentials({ url: baseUrl });
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (credentials?.type === 'pat') {
      headers.Authorization = `Basic ${Buffer.from(`:${credentials.token}`).toString('base64')}`;
    } else if (credentials) {
      headers.Authorization = `Bearer ${credentials.token}`;
    }
    const res = await fetch(
      `${url.origin}/${org}/${project}/_apis/git/repositories?api-version=7.1`,
      { method: 'POST', headers, body: JSON.stringify({ name }) },
    );
    if (res.status === 409) return false;
    if (!res.ok) await failed(res, `Creating the Azure DevOps repository ${org}/${project}/${name}`);
    return true;
  }
  return true;
}

import {
  DefaultAzureDevOpsCredentialsProvider,
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { AuthService } from '@backstage/backend-plugin-api';

/** What isomorphic-git's onAuth returns: basic credentials or extra headers. */
export type GitAuth = {
  username?: string;
  password?: string;
  headers?: Record<string, string>;
};

/** The embedded Git host (plugins/git-host-backend) serves under this path. */
function isEmbeddedGitHost(url: string): boolean {
  return /\/api\/git-host\//.test(new URL(url).pathname);
}

/**
 * Credentials for a clone URL from Backstage `integrations`, else the
 * fallback; for the embedded Git host, a Backstage service token as the
 * password, since it refuses anonymous pushes.
 */
export async function gitAuthFor(
  url: string,
  integrations: ScmIntegrationRegistry,
  fallback?: { username?: string; password?: string },
  auth?: AuthService,
): Promise<GitAuth | undefined> {
  if (integrations.github.byUrl(url)) {
    const { token } = await DefaultGithubCredentialsProvider.fromIntegrations(
      integrations,
    ).getCredentials({ url });
    return token ? { username: 'x-access-token', password: token } : undefined;
  }
  if (integrations.azure.byUrl(url)) {
    const credentials =
      await DefaultAzureDevOpsCredentialsProvider.fromIntegrations(
        integrations,
      ).getCredentials({ url });
    if (!credentials) return undefined;
    return credentials.type === 'pat'
      ? { username: 'notempty', password: credentials.token }
      : { headers: { Authorization: `Bearer ${credentials.token}` } };
  }
  if (fallback?.username || fallback?.password) {
    return { username: fallback.username, password: fallback.password };
  }
  if (auth && isEmbeddedGitHost(url)) {
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'git-host',
    });
    return { username: 'backstage', password: token };
  }
  return undefined;
}

/**
 * isomorphic-git options that send the credentials with the first request. With `onAuth`
 * alone it asks anonymously, takes the 401 and asks again: a round trip more for every fetch
 * and push, to GitHub as much as to the embedded host. `onAuth` stays for a refused retry.
 */
export function gitAuthOptions(auth?: GitAuth): {
  onAuth?: () => GitAuth;
  headers?: Record<string, string>;
} {
  if (!auth) return {};
  const headers = { ...auth.headers };
  if (auth.username !== undefined || auth.password !== undefined) {
    const basic = Buffer.from(
      `${auth.username ?? ''}:${auth.password ?? ''}`,
    ).toString('base64');
    headers.Authorization = `Basic ${basic}`;
  }
  return { onAuth: () => auth, headers };
}

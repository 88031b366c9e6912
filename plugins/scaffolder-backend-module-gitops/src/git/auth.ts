import {
  DefaultAzureDevOpsCredentialsProvider,
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { GitAuth } from './GitOpsRepository';

/** Credentials for a clone URL from Backstage `integrations`, else the fallback. */
export async function gitAuthFor(
  url: string,
  integrations: ScmIntegrationRegistry,
  fallback?: { username?: string; password?: string },
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
  return undefined;
}

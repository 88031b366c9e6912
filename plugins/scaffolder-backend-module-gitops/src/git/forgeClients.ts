import { InputError } from '@backstage/errors';
import {
  DefaultAzureDevOpsCredentialsProvider,
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  getBearerHandler,
  getPersonalAccessTokenHandler,
  WebApi,
} from 'azure-devops-node-api';
import { IGitApi } from 'azure-devops-node-api/GitApi';
import { Octokit } from 'octokit';

/** A GitHub client for the integration serving `url`, at its apiBaseUrl (GitHub Enterprise, or a fake in tests). */
export async function githubClient(
  url: string,
  integrations: ScmIntegrationRegistry,
): Promise<Octokit> {
  const integration = integrations.github.byUrl(url);
  if (!integration) {
    throw new InputError(`No GitHub integration for ${url}; add one under integrations.github in app-config.`);
  }
  const { token } = await DefaultGithubCredentialsProvider.fromIntegrations(
    integrations,
  ).getCredentials({ url });
  return new Octokit({
    baseUrl: integration.config.apiBaseUrl ?? 'https://api.github.com',
    auth: token,
  });
}

/** An Azure DevOps Git client for the organisation at `orgUrl`, with the credentials for `url`. */
export async function azureGitClient(
  orgUrl: string,
  url: string,
  integrations: ScmIntegrationRegistry,
): Promise<IGitApi> {
  const credentials = await DefaultAzureDevOpsCredentialsProvider.fromIntegrations(
    integrations,
  ).getCredentials({ url });
  if (!credentials) {
    throw new InputError(
      `No Azure DevOps credentials for ${new URL(url).host}; add them under integrations.azure in app-config.`,
    );
  }
  const handler =
    credentials.type === 'pat'
      ? getPersonalAccessTokenHandler(credentials.token)
      : getBearerHandler(credentials.token);
  return new WebApi(orgUrl, handler).getGitApi();
}

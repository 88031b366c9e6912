import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { startFakeForge } from '@internal/test-fakes/git';
import { openPullRequest } from './pullRequests';

describe('openPullRequest when the forge refuses the credentials', () => {
  let forge: Awaited<ReturnType<typeof startFakeForge>>;
  beforeAll(async () => {
    // No Git traffic here: only the REST APIs are called.
    forge = await startFakeForge('http://127.0.0.1:9');
  });
  afterAll(() => forge.stop());

  const open = (integrations: object, repoUrl: string) =>
    openPullRequest({
      repoUrl,
      head: 'idp/orders-api-0123456789',
      base: 'main',
      title: 'Deploy orders-api to prod',
      body: 'Task: task-1',
      integrations: ScmIntegrations.fromConfig(new ConfigReader({ integrations })),
    });

  it.each([
    [
      'GitHub',
      () => ({ github: [{ host: forge.host, apiBaseUrl: `http://${forge.host}/api/v3`, token: 'ghp-revoked' }] }),
      () => `http://${forge.host}/contoso/gitops.git`,
      /^Opening a pull request from idp\/orders-api-0123456789 on the GitHub repository contoso\/gitops failed: the host refused the credentials \(HTTP 401, "Bad credentials"\)\. Check the token for this host under integrations/,
    ],
    [
      'Azure DevOps',
      () => ({ azure: [{ host: forge.host, credentials: [{ personalAccessToken: 'ado-revoked' }] }] }),
      () => `http://${forge.host}/contoso/platform/_git/gitops`,
      /^Opening a pull request from idp\/orders-api-0123456789 on the Azure DevOps repository contoso\/platform\/gitops failed: the host refused the credentials \(HTTP 401, "TF400813: The user is not authorized to access this resource\."\)\. Check the token/,
    ],
  ])('on %s says what failed and what to do, without the raw response', async (_name, integrations, repoUrl, message) => {
    const error = await open(integrations(), repoUrl()).catch(e => e);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/[{}]/);
    expect(forge.pullRequests).toEqual([]);
  });
});

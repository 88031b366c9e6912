import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { GuardrailsReport } from '@internal/plugin-guardrails-common';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { headOf, startGitServer } from '@internal/test-fakes/git';
import { guardrailsPlugin } from './plugin';

const asUser = { Authorization: mockCredentials.user.header() };

describe('the guardrails plugin', () => {
  let git: Awaited<ReturnType<typeof startGitServer>>;
  beforeAll(async () => {
    git = await startGitServer(gitHostPlugin);
  }, 60_000);
  afterAll(() => git?.stop());

  it('scans gitops.repoUrl on its schedule and serves the report with every rule', async () => {
    const backend = await startTestBackend({
      features: [
        guardrailsPlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            gitops: { repoUrl: git.gitopsUrl, branch: 'main' },
            guardrails: {
              scan: { schedule: { frequency: { seconds: 1 }, timeout: { seconds: 30 } } },
            },
          },
        }),
      ],
    });
    try {
      const url = `http://127.0.0.1:${backend.server.port()}/api/guardrails/v1/report`;
      const head = await headOf(git.gitopsUrl);
      let report: GuardrailsReport | undefined;
      for (let i = 0; i < 100 && report?.scan.commit !== head; i++) {
        await new Promise(r => setTimeout(r, 100));
        report = await (await fetch(url, { headers: asUser })).json();
      }
      expect(report?.scan).toMatchObject({ commit: head, repoUrl: git.gitopsUrl, services: 0 });
      expect(report?.rules.length).toBeGreaterThanOrEqual(13);
      const invalid = { Authorization: mockCredentials.user.invalidHeader() };
      expect((await fetch(url, { headers: invalid })).status).toBe(401);
    } finally {
      await backend.stop();
    }
  });

  it('starts without a GitOps repository and says what to configure', async () => {
    const backend = await startTestBackend({
      features: [
        guardrailsPlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    try {
      const res = await fetch(
        `http://127.0.0.1:${backend.server.port()}/api/guardrails/v1/report`,
        { headers: asUser },
      );
      const report: GuardrailsReport = await res.json();
      expect(report.scan.error).toMatch(/set gitops\.repoUrl/);
      expect(report.components).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});

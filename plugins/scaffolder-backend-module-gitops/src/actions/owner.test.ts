import { mockServices } from '@backstage/backend-test-utils';
import { AuditorService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import path from 'path';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { headOf, startGitServer } from '@internal/test-fakes/git';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { testOrg, testOrgAccess } from '@internal/test-fakes/access';
import { accessChecks } from '../access/accessChecks';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createResourcePublishAction } from './resource';
import {
  createServiceCheckAction,
  createServicePublishAction,
} from './service';

// Real Git pushes over HTTP: slower than Jest's 5 s on 2 busy cores.
jest.setTimeout(30_000);

const validator = ManifestValidator.fromDirectory(
  path.resolve(__dirname, '../../schemas'),
);

/** An auditor that keeps what it was told, as the real one would log it. */
function recordingAuditor() {
  const events: Array<{
    eventId: string;
    meta?: any;
    status?: string;
    error?: string;
    result?: any;
  }> = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      const event: (typeof events)[number] = {
        eventId: options.eventId,
        meta: options.meta,
      };
      events.push(event);
      return {
        async success(o) {
          event.status = 'succeeded';
          event.result = o?.meta;
        },
        async fail(o) {
          event.status = 'failed';
          event.error = String(o.error.message);
        },
      };
    },
  };
  return { auditor, events };
}

const ctx = (user: string | undefined, input: object, id = 'task-owner') =>
  createMockActionContext({
    input: input as any,
    user: user ? { ref: `user:default/${user}` } : undefined,
    task: { id },
    templateInfo: { entityRef: 'template:default/nodejs-service' } as any,
  });

describe('golden paths decide the owner on the server', () => {
  let server: Awaited<ReturnType<typeof startGitServer>>;
  let recorded: ReturnType<typeof recordingAuditor>;
  let check: ReturnType<typeof createServiceCheckAction>;
  let publish: ReturnType<typeof createServicePublishAction>;
  let attach: ReturnType<typeof createResourcePublishAction>;
  beforeAll(async () => {
    server = await startGitServer(gitHostPlugin);
    recorded = recordingAuditor();
    const config = new ConfigReader({ gitops: { repoUrl: server.gitopsUrl } });
    const deps = {
      config,
      integrations: ScmIntegrations.fromConfig(config),
      validator,
      ...accessChecks({
        ...testOrgAccess(),
        // sre-tools, created below, as catalog:register would have registered it.
        catalog: catalogServiceMock({
          entities: [
            ...testOrg,
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'sre-tools' },
              spec: { type: 'service', lifecycle: 'production', owner: 'group:default/payments-team' },
            },
          ],
        }),
        auditor: recorded.auditor,
      }),
      auth: mockServices.auth(),
      auditor: recorded.auditor,
    };
    check = createServiceCheckAction(deps);
    publish = createServicePublishAction(deps);
    attach = createResourcePublishAction(deps);
  });
  afterAll(() => server.stop());
  beforeEach(() => recorded.events.splice(0));

  it("refuses another team's owner in check and publish, and nothing is pushed", async () => {
    const head = await headOf(server.gitopsUrl);
    const input = {
      name: 'sneaky-api',
      owner: 'group:default/storefront-team',
    };
    await expect(check.handler(ctx('olu.member', input))).rejects.toThrow(
      'user:default/olu.member is not a member of group:default/storefront-team, so it cannot be the owner. ' +
        'Choose one of your teams (group:default/payments-team, group:default/contoso), or ask a member of group:default/storefront-team to run this golden path. Nothing was changed.',
    );
    await expect(publish.handler(ctx('olu.member', input))).rejects.toThrow(
      /is not a member of/,
    );
    expect(await headOf(server.gitopsUrl)).toBe(head);
    const denied = recorded.events.filter(
      e => e.eventId === 'permission-denied',
    );
    expect(denied).toHaveLength(2);
    expect(denied[0]).toMatchObject({
      status: 'failed',
      meta: {
        actor: 'user:default/olu.member',
        owner: 'group:default/storefront-team',
        entityRef: 'component:default/sneaky-api',
        taskId: 'task-owner',
      },
    });
    expect(
      recorded.events.find(e => e.eventId === 'golden-path-run'),
    ).toMatchObject({ status: 'failed' });
  });

  it('refuses an owner the catalog does not have, even for a platform admin, and nothing is pushed', async () => {
    const head = await headOf(server.gitopsUrl);
    const input = { name: 'ghost-owned', owner: 'group:default/ghost-team' };
    // amara.okafor is a platform admin: the owner guard alone would let her act for any team.
    await expect(check.handler(ctx('amara.okafor', input))).rejects.toThrow(
      'The owner group:default/ghost-team is not in the catalog (or you may not see it). Choose an existing team, for example with the owner picker; nothing was changed.',
    );
    await expect(publish.handler(ctx('amara.okafor', input))).rejects.toThrow(/is not in the catalog/);
    expect(await headOf(server.gitopsUrl)).toBe(head);
  });

  it('refuses a user in no team, and a task with no user', async () => {
    const input = { name: 'lonely-api', owner: 'group:default/payments-team' };
    await expect(check.handler(ctx('nobody.new', input))).rejects.toThrow(
      /You are in no team in the catalog/,
    );
    await expect(check.handler(ctx(undefined, input))).rejects.toThrow(
      /only for a signed-in user/,
    );
  });

  it('lets a member of a child group create for its parent team, and audits the commit with its SHA', async () => {
    const input = {
      name: 'sre-tools',
      owner: 'group:default/payments-team',
      environments: ['dev'],
    };
    await check.handler(ctx('sam.sre', input));
    const c = ctx('sam.sre', input);
    await publish.handler(c);
    const commit = recorded.events.find(e => e.eventId === 'gitops-commit')!;
    expect(commit.status).toBe('succeeded');
    expect(commit.meta).toMatchObject({
      actor: 'user:default/sam.sre',
      entityRef: 'component:default/sre-tools',
      template: 'template:default/nodejs-service',
    });
    expect(commit.result.commitSha).toBe(await headOf(server.gitopsUrl));
  });

  it("attaches a resource only to a component of the user's team; a platform admin may for any", async () => {
    const input = {
      component: 'sre-tools',
      owner: 'group:default/payments-team',
      resource: { kind: 'Cache', name: 'sre-cache' },
    };
    const head = await headOf(server.gitopsUrl);
    await expect(attach.handler(ctx('ana.storefront', input))).rejects.toThrow(
      /ana.storefront is not a member of group:default\/payments-team/,
    );
    expect(await headOf(server.gitopsUrl)).toBe(head);
    await attach.handler(ctx('amara.okafor', input));
    expect(await headOf(server.gitopsUrl)).not.toBe(head);
  });
});

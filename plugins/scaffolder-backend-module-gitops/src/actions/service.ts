import { Config } from '@backstage/config';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  checkServiceRequestNames,
  gitopsPaths,
  selectEnvironments,
  serializeFile,
  ServiceRequest,
  serviceRequestSchema,
} from '@internal/plugin-gitops-common';
import { readGitOpsSettings } from '../config';
import { gitAuthFor } from '@internal/plugin-platform-node';
import { commitAndPush } from '../git/GitOpsRepository';
import { createHash } from 'crypto';
import { ManifestValidator } from '../validation/ManifestValidator';
import {
  authorOf,
  commitLink,
  commitMessage,
  planServiceChange,
  PORTAL_COMMITTER,
  renderChecked,
} from './plan';
import { examples } from './service.examples';
import { auditMeta, commitAsUser, proposeAsUser } from './commits';
import type { ChangeRecorder } from './deploy';
import { assertValidNames, parseInput } from './input';
import {
  AuditorService,
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { AUDIT_EVENTS } from '@internal/plugin-access-common';
import { audited } from '../access/audit';
import { OwnerGuard } from '../access/OwnerGuard';
import { CatalogReferences } from '../access/CatalogReferences';

export type Deps = {
  /** Follows each change from its commit to healthy pods. */
  timeline?: ChangeRecorder;
  config: Config;
  integrations: ScmIntegrationRegistry;
  validator: ManifestValidator;
  guard: OwnerGuard;
  /** Reads what the request refers to with the user's credentials. */
  references: CatalogReferences;
  auditor?: AuditorService;
  /** Signs the pushes to the embedded Git host. */
  auth?: AuthService;
};

export { auditMeta } from './commits';

/**
 * What check and publish decide before any side effect, whatever the form checked: every
 * name against what it becomes, the owner against the catalog (as the user sees it), and
 * the user against the owner.
 */
export async function checkRequest(
  deps: Deps,
  ctx: Parameters<OwnerGuard['check']>[0] & {
    getInitiatorCredentials(): Promise<BackstageCredentials>;
  },
  req: ServiceRequest,
  entityRef: string,
) {
  const settings = readGitOpsSettings(deps.config);
  assertValidNames(checkServiceRequestNames(req, settings.naming));
  await deps.references.assertOwnerIsGroup(req.owner, await ctx.getInitiatorCredentials());
  await deps.guard.check(ctx, req.owner, entityRef);
  return settings;
}

/**
 * gitops:service:check: everything publish does except the push, so a
 * template can fail before its first side effect.
 */
export function createServiceCheckAction(deps: Deps) {
  return createTemplateAction({
    id: 'gitops:service:check',
    description:
      'Validates a golden-path request and checks the GitOps repository: the name is free or already ours, and the manifests render and match their schemas. Changes nothing.',
    examples,
    schema: {
      input: () => serviceRequestSchema,
      output: z =>
        z.object({
          exists: z.boolean().describe('The service is already in the GitOps repository, with this owner'),
          paths: z.array(z.string()),
          acrLoginServer: z.string().describe('The registry images come from, for the skeleton'),
        }),
    },
    supportsDryRun: true,
    async handler(ctx) {
      const req = parseInput(serviceRequestSchema, ctx.input, 'golden-path input');
      const entityRef = `component:default/${req.name}`;
      await audited(deps.auditor, AUDIT_EVENTS.goldenPathRun, { ...auditMeta(ctx, entityRef), owner: req.owner }, async () => {
      // Before anything else: the names and the owner the form sent are decided again here.
      const settings = await checkRequest(deps, ctx, req, entityRef);
      const files = renderChecked(req, settings.platform, deps.validator);
      const auth = await gitAuthFor(settings.repoUrl, deps.integrations, settings.credentials, deps.auth);
      const result = await commitAndPush({
        repoUrl: settings.repoUrl,
        branch: settings.branch,
        auth,
        author: authorOf(ctx.user),
        committer: PORTAL_COMMITTER,
        message: 'check',
        change: read => planServiceChange(req, files, read),
        push: false,
        logger: ctx.logger,
        signal: ctx.signal,
      });
      ctx.logger.info(
        result.changed
          ? `GitOps repository ready: ${result.paths.length} files would be written for ${req.name}`
          : `${req.name} is already in the GitOps repository exactly as requested`,
      );
      ctx.output('exists', !result.changed);
      ctx.output('paths', files.map(f => f.path));
      ctx.output('acrLoginServer', settings.platform.acrLoginServer);
      });
    },
  });
}

/** gitops:service:publish: commits the service's manifests to the GitOps repository. */
export function createServicePublishAction(deps: Deps) {
  return createTemplateAction({
    id: 'gitops:service:publish',
    description:
      'Renders the Kubernetes manifests, kustomize overlays, ArgoCD Applications and Crossplane resources of a service and commits them to the GitOps repository as the user who asked. Idempotent; retries a lost push race; never force-pushes.',
    examples,
    schema: {
      input: () => serviceRequestSchema,
      output: z =>
        z.object({
          commitSha: z.string(),
          commitUrl: z.string(),
          changed: z.boolean().describe('false when the repository already had exactly this'),
          paths: z.array(z.string()),
          applications: z.array(z.string()).describe('ArgoCD Application names'),
          pullRequestUrls: z
            .array(z.string())
            .describe('Pull requests for environments that require review'),
        }),
    },
    async handler(ctx) {
      const req = parseInput(serviceRequestSchema, ctx.input, 'golden-path input');
      const entity = `component:default/${req.name}`;
      const settings = await checkRequest(deps, ctx, req, entity);
      const files = renderChecked(req, settings.platform, deps.validator);
      const envs = selectEnvironments(req, settings.platform);
      const message = (subject: string) =>
        commitMessage({
          subject,
          template: ctx.templateInfo?.entityRef,
          taskId: ctx.task.id,
          entity,
          requestedBy: ctx.user?.ref,
          exemptions: req.exemptions,
        });

      // Environments set to pullRequest get their overlay and Application through a pull request.
      const prEnvs = envs.filter(e => e.pullRequest);
      const viaPullRequest = (path: string) =>
        prEnvs.some(
          e =>
            path.startsWith(`${gitopsPaths.overlay(req.name, e.name)}/`) ||
            path === gitopsPaths.application(req.name, e.name),
        );
      const direct = files.filter(f => !viaPullRequest(f.path));
      const reviewed = files.filter(f => viaPullRequest(f.path));

      const result = await commitAsUser(deps, ctx, settings, {
        key: `gitops-service-publish-${req.name}`,
        entity,
        message: message(
          `Add ${req.name} (${envs.filter(e => !e.pullRequest).map(e => e.name).join(', ') || 'base'})`,
        ),
        change: read => planServiceChange(req, direct, read),
      });

      const pullRequests: string[] = [];
      if (reviewed.length > 0) {
        const names = prEnvs.map(e => e.name).join(', ');
        // Named after its content, so a re-run finds the same branch and pull request.
        const digest = createHash('sha256')
          .update(reviewed.map(f => `${f.path}\n${serializeFile(f)}`).join('\n'))
          .digest('hex')
          .slice(0, 10);
        const head = `idp/${req.name}-${digest}`;
        const pr = await ctx.checkpoint({
          key: `gitops-service-pr-${req.name}-${digest}`,
          fn: async () => {
            const proposed = await proposeAsUser(deps, ctx, settings, {
              head,
              entity,
              title: `Deploy ${req.name} to ${names}`,
              message: message(`Deploy ${req.name} to ${names}`),
              change: read => planServiceChange(req, reviewed, read),
            });
            return { url: proposed.url, created: proposed.created };
          },
        });
        if (pr.url) {
          pullRequests.push(pr.url);
          ctx.logger.info(
            `${pr.created ? 'Opened' : 'Found the open'} pull request for ${names}: ${pr.url}`,
          );
        } else {
          ctx.logger.info(`${names} already has ${req.name} on ${settings.branch}; no pull request needed`);
        }
      }
      ctx.output('pullRequestUrls', pullRequests);
      if (result.changed) {
        ctx.logger.info(`Committed ${result.paths.length} files for ${req.name} as ${result.sha}`);
      } else {
        ctx.logger.info(
          `Nothing to commit: the GitOps repository already has ${req.name} exactly as requested (${result.sha})`,
        );
      }
      if (result.changed) {
        await deps.timeline?.record({
          entityRef: entity,
          kind: 'create',
          environments: envs.filter(e => !e.pullRequest).map(e => e.name),
          commitSha: result.sha,
          commitUrl: commitLink(settings.repoUrl, result.sha, gitopsPaths.application(req.name, envs[0].name)),
          version: req.imageTag,
          taskId: ctx.task.id,
        });
      }
      ctx.output('commitSha', result.sha);
      ctx.output(
        'commitUrl',
        commitLink(settings.repoUrl, result.sha, gitopsPaths.application(req.name, envs[0].name)),
      );
      ctx.output('changed', result.changed);
      ctx.output('paths', result.paths);
      ctx.output('applications', envs.map(e => `${req.name}-${e.name}`));
    },
  });
}

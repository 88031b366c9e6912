import { AuditorService, AuthService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  blankAsUnset,
  DeployedImage,
  dnsName,
  EnvironmentConfig,
  gitopsPaths,
  KustomizeImage,
  overlayImage,
  promotionTargets,
  withImage,
} from '@internal/plugin-gitops-common';
import { checkGuardrails, kustomizeTree } from '@internal/plugin-guardrails-node';
import { gitAuthFor } from '@internal/plugin-platform-node';
import { MIN_JUSTIFICATION_LENGTH } from '@internal/plugin-platform-common';
import { createHash } from 'crypto';
import { parse, stringify } from 'yaml';
import { z } from 'zod/v3';
import { CatalogReferences } from '../access/CatalogReferences';
import { OwnerGuard } from '../access/OwnerGuard';
import { readGitOpsSettings } from '../config';
import { SourceHealthCheck } from '../deployments/sourceHealth';
import { commitAndPush, TreeReader } from '../git/GitOpsRepository';
import { fileHistory } from '../git/history';
import { parseInput } from './input';
import { authorOf, commitLink, commitMessage, existingOwner, PORTAL_COMMITTER } from './plan';
import { commitAsUser, proposeAsUser, TaskContext } from './commits';
import type { RecordedChange } from '../timeline/TimelineTracker';

type Deps = {
  config: Config;
  integrations: ScmIntegrationRegistry;
  guard: OwnerGuard;
  references: CatalogReferences;
  /** Whether the source environment runs the image Synced and Healthy. */
  sourceHealth: SourceHealthCheck;
  auditor?: AuditorService;
  auth?: AuthService;
  /** Follows each change from its commit to healthy pods. */
  timeline?: ChangeRecorder;
};

/** What the actions tell the request timeline after a commit. */
export type ChangeRecorder = { record(change: RecordedChange): Promise<unknown> };

const justification = blankAsUnset(
  z
    .string()
    .refine(j => j.trim().length >= MIN_JUSTIFICATION_LENGTH, {
      message: `must say why in at least ${MIN_JUSTIFICATION_LENGTH} characters`,
    })
    .optional(),
);

const promoteSchema = z.object({
  component: dnsName('Component name').describe('The service in the GitOps repository'),
  from: z.string().min(1).describe('The environment whose image is promoted, e.g. dev'),
  to: blankAsUnset(
    z.string().optional().describe('The target environment; the next one after `from` when not given'),
  ),
  justification: justification.describe(
    'Why to promote although the source is not Synced and Healthy at that image; recorded in the commit',
  ),
});

const rollbackSchema = z.object({
  component: dnsName('Component name').describe('The service in the GitOps repository'),
  environment: z.string().min(1).describe('The environment to roll back'),
  version: blankAsUnset(
    z
      .string()
      .optional()
      .describe("An earlier tag or digest of the environment's image; the one before the current when not given"),
  ),
  justification: justification.describe('Why, recorded in the commit'),
});

const outputSchema = (zod: typeof z) =>
  zod.object({
    changed: zod.boolean().describe('false when the target already runs that image'),
    image: zod.string().describe('The image the target environment gets'),
    commitSha: zod.string(),
    commitUrl: zod.string(),
    pullRequestUrl: zod.string().describe('Set when the target environment takes changes by pull request'),
  });

const overlayPath = (component: string, env: string) =>
  gitopsPaths.overlayFile(component, env, 'kustomization.yaml');

async function deployedImage(read: TreeReader, component: string, env: string): Promise<DeployedImage> {
  const text = await read(overlayPath(component, env));
  if (text === undefined) {
    throw new InputError(`${component} is not deployed to ${env}: ${overlayPath(component, env)} is not in the GitOps repository.`);
  }
  const image = overlayImage(parse(text), component);
  if (!image) {
    throw new InputError(`${overlayPath(component, env)} sets no image for ${component}, so there is nothing to move.`);
  }
  return image;
}

/**
 * Sets the target overlay's image and commits it as the user (or opens a pull request where the
 * environment asks for one), after the same guardrails the cluster enforces. A target that
 * already has the image changes nothing.
 */
async function changeImage(
  deps: Deps,
  ctx: TaskContext,
  opts: {
    component: string;
    owner: string;
    target: EnvironmentConfig;
    image: KustomizeImage;
    reference: string;
    subject: string;
    trailers: Array<[string, string]>;
    checkpointKey: string;
  },
) {
  const settings = readGitOpsSettings(deps.config);
  const entity = `component:default/${opts.component}`;
  const path = overlayPath(opts.component, opts.target.name);
  const message = commitMessage({
    subject: opts.subject,
    template: ctx.templateInfo?.entityRef,
    taskId: ctx.task.id,
    entity,
    requestedBy: ctx.user?.ref,
    trailers: opts.trailers,
  });
  const change = async (read: TreeReader) => {
    const owner = await existingOwner(opts.component, read);
    if (owner && owner.toLowerCase() !== opts.owner.toLowerCase()) {
      throw new ConflictError(
        `${opts.component} is owned by ${owner} in the GitOps repository, but by ${opts.owner} in the catalog; nothing was changed.`,
      );
    }
    await deployedImage(read, opts.component, opts.target.name);
    const next = stringify(withImage(parse((await read(path))!), opts.component, opts.image), {
      lineWidth: 0,
    });
    const changes = new Map([[path, next]]);
    checkGuardrails(await kustomizeTree([path], read, changes), settings.platform.argocdNamespace);
    return changes;
  };
  const audit = { environment: opts.target.name };

  if (!opts.target.pullRequest) {
    const result = await commitAsUser(deps, ctx, settings, {
      key: opts.checkpointKey,
      entity,
      message,
      change,
      audit,
    });
    return { ...result, pullRequestUrl: '', commitUrl: commitLink(settings.repoUrl, result.sha, path) };
  }

  // Reviewed environments: a branch named after the change, so a re-run finds its pull request.
  const digest = createHash('sha256').update(`${path}\n${opts.reference}`).digest('hex').slice(0, 10);
  return ctx.checkpoint({
    key: `${opts.checkpointKey}-pr`,
    fn: async () => {
      const proposed = await proposeAsUser(deps, ctx, settings, {
        head: `idp/${opts.component}-${opts.target.name}-${digest}`,
        title: opts.subject,
        entity,
        message,
        change,
        audit,
      });
      return {
        changed: proposed.changed,
        sha: proposed.sha,
        pullRequestUrl: proposed.url,
        commitUrl: proposed.sha ? commitLink(settings.repoUrl, proposed.sha, path) : '',
      };
    },
  });
}

/** gitops:promote: the image of one environment's overlay, copied to the next. */
export function createPromoteAction(deps: Deps) {
  return createTemplateAction({
    id: 'gitops:promote',
    description:
      "Promotes a service: copies the image of one environment's overlay to the next in gitops.environments order, as a commit by the user (or a pull request where the environment asks for one). Refused when the source is not Synced and Healthy at that image, unless a justification is given.",
    examples: [
      {
        description: 'Promote payments-api from dev to staging',
        example: stringify({
          steps: [{ id: 'promote', action: 'gitops:promote', input: { component: 'payments-api', from: 'dev' } }],
        }),
      },
    ],
    schema: { input: () => promoteSchema, output: outputSchema },
    async handler(ctx) {
      const req = parseInput(promoteSchema, ctx.input, 'promotion');
      const settings = readGitOpsSettings(deps.config);
      let envs: ReturnType<typeof promotionTargets>;
      try {
        envs = promotionTargets(settings.platform.environments, req.from, req.to);
      } catch (error: any) {
        throw new InputError(`${error.message} Nothing was committed.`);
      }
      const entity = `component:default/${req.component}`;
      const credentials = await ctx.getInitiatorCredentials();
      const owner = await deps.references.ownerOfComponent(req.component, credentials, 'promote');
      await deps.guard.check(ctx, owner, entity);

      const auth = await gitAuthFor(settings.repoUrl, deps.integrations, settings.credentials, deps.auth);
      let source: DeployedImage | undefined;
      let current: DeployedImage | undefined;
      await commitAndPush({
        repoUrl: settings.repoUrl,
        branch: settings.branch,
        auth,
        author: authorOf(ctx.user),
        committer: PORTAL_COMMITTER,
        message: 'read',
        push: false,
        logger: ctx.logger,
        change: async read => {
          source = await deployedImage(read, req.component, envs.from.name);
          current = await deployedImage(read, req.component, envs.to.name);
          return new Map();
        },
      });
      if (source!.reference === current!.reference) {
        ctx.logger.info(`${envs.to.name} already runs ${source!.reference}; nothing to promote`);
        ctx.output('changed', false);
        ctx.output('image', source!.reference);
        ctx.output('commitSha', '');
        ctx.output('commitUrl', '');
        ctx.output('pullRequestUrl', '');
        return;
      }
      const health = await deps.sourceHealth(req.component, envs.from.name, source!.version, credentials);
      if (!health.ready && !req.justification) {
        throw new InputError(
          `${envs.from.name} is not ready to promote: ${health.reason}. Wait until ArgoCD reports it Synced and Healthy at ${source!.version}, or give a justification to promote anyway; nothing was committed.`,
        );
      }
      ctx.logger.info(
        health.ready
          ? `${health.reason}; promoting it to ${envs.to.name}`
          : `Promoting although ${health.reason}, because: ${req.justification}`,
      );
      const trailers: Array<[string, string]> = [
        ['Promoted-From', envs.from.name],
        ['Image', source!.reference],
        ['Replaces', current!.reference],
      ];
      if (!health.ready) {
        trailers.push(['Source-Not-Ready', health.reason], ['Promotion-Justification', req.justification!]);
      }
      const result = await changeImage(deps, ctx, {
        component: req.component,
        owner,
        target: envs.to,
        image: source!.entry,
        reference: source!.reference,
        subject: `Promote ${req.component} ${source!.version} from ${envs.from.name} to ${envs.to.name}`,
        trailers,
        checkpointKey: `gitops-promote-${req.component}-${envs.to.name}-${source!.version}`,
      });
      if (result.changed && result.sha) {
        await deps.timeline?.record({
          entityRef: entity,
          kind: 'promote',
          environments: [envs.to.name],
          commitSha: result.sha,
          commitUrl: result.commitUrl,
          version: source!.version,
          ...(result.pullRequestUrl ? { pullRequestUrl: result.pullRequestUrl } : {}),
          taskId: ctx.task.id,
        });
      }
      ctx.output('changed', result.changed);
      ctx.output('image', source!.reference);
      ctx.output('commitSha', result.sha);
      ctx.output('commitUrl', result.commitUrl);
      ctx.output('pullRequestUrl', result.pullRequestUrl);
    },
  });
}

/** gitops:rollback: an earlier image of an environment, from its Git history, as a new commit. */
export function createRollbackAction(deps: Deps) {
  return createTemplateAction({
    id: 'gitops:rollback',
    description:
      "Rolls an environment of a service back to an earlier image from its overlay's Git history, as a new commit by the user (never a force-push), or a pull request where the environment asks for one.",
    examples: [
      {
        description: 'Put the previous image of payments-api back in prod',
        example: stringify({
          steps: [{ id: 'rollback', action: 'gitops:rollback', input: { component: 'payments-api', environment: 'prod' } }],
        }),
      },
    ],
    schema: { input: () => rollbackSchema, output: outputSchema },
    async handler(ctx) {
      const req = parseInput(rollbackSchema, ctx.input, 'rollback');
      const settings = readGitOpsSettings(deps.config);
      const target = settings.platform.environments.find(e => e.name === req.environment);
      if (!target) {
        throw new InputError(
          `There is no environment "${req.environment}"; the environments are ${settings.platform.environments
            .map(e => e.name)
            .join(', ')} (gitops.environments). Nothing was committed.`,
        );
      }
      const entity = `component:default/${req.component}`;
      const credentials = await ctx.getInitiatorCredentials();
      const owner = await deps.references.ownerOfComponent(req.component, credentials, 'roll back');
      await deps.guard.check(ctx, owner, entity);

      const auth = await gitAuthFor(settings.repoUrl, deps.integrations, settings.credentials, deps.auth);
      const versions = (
        await fileHistory({
          repoUrl: settings.repoUrl,
          branch: settings.branch,
          auth,
          filepath: overlayPath(req.component, target.name),
        })
      )
        .map(v => ({ ...v, image: overlayImage(parse(v.content), req.component) }))
        .filter(v => v.image);
      if (versions.length === 0) {
        throw new InputError(`${req.component} is not deployed to ${target.name}; there is nothing to roll back.`);
      }
      const current = versions[0].image!;
      const earlier = versions.filter(v => v.image!.reference !== current.reference);
      const chosen = req.version
        ? earlier.find(v => v.image!.version === req.version)
        : earlier[0];
      if (!chosen) {
        const known = [...new Set(earlier.map(v => v.image!.version))];
        throw new InputError(
          req.version === current.version
            ? `${target.name} already runs ${current.reference}; nothing to roll back.`
            : `${req.version ? `${req.version} was never` : 'No earlier image was'} deployed to ${target.name} of ${req.component}${
                known.length ? `; earlier images: ${known.join(', ')}` : ''
              }. Nothing was committed.`,
        );
      }
      const image = chosen.image!;
      const result = await changeImage(deps, ctx, {
        component: req.component,
        owner,
        target,
        image: image.entry,
        reference: image.reference,
        subject: `Roll back ${req.component} in ${target.name} to ${image.version}`,
        trailers: [
          ['Rolled-Back-From', current.reference],
          ['Image', image.reference],
          ['Restores', chosen.sha],
          ...(req.justification ? ([['Rollback-Justification', req.justification]] as Array<[string, string]>) : []),
        ],
        checkpointKey: `gitops-rollback-${req.component}-${target.name}-${image.version}`,
      });
      if (result.changed && result.sha) {
        await deps.timeline?.record({
          entityRef: entity,
          kind: 'rollback',
          environments: [target.name],
          commitSha: result.sha,
          commitUrl: result.commitUrl,
          version: image.version,
          ...(result.pullRequestUrl ? { pullRequestUrl: result.pullRequestUrl } : {}),
          taskId: ctx.task.id,
        });
      }
      ctx.output('changed', result.changed);
      ctx.output('image', image.reference);
      ctx.output('commitSha', result.sha);
      ctx.output('commitUrl', result.commitUrl);
      ctx.output('pullRequestUrl', result.pullRequestUrl);
    },
  });
}

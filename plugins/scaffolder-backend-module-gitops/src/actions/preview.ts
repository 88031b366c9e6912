import { AuditorService, AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { ActionContext, createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  blankAsUnset,
  dnsName,
  EXPIRES_ANNOTATION,
  gitopsPaths,
  overlayImage,
  previewNameProblem,
  previewOfApplication,
  previewPaths,
  PreviewSummary,
  renderPreview,
  serializeFile,
} from '@internal/plugin-gitops-common';
import { checkGuardrails, kustomizeTree } from '@internal/plugin-guardrails-node';
import { gitAuthFor } from '@internal/plugin-platform-node';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod/v3';
import { CatalogReferences } from '../access/CatalogReferences';
import { OwnerGuard } from '../access/OwnerGuard';
import { GitOpsSettings, readGitOpsSettings } from '../config';
import { commitAndPush, FileChanges, FolderLister, TreeReader } from '../git/GitOpsRepository';
import { parseInput } from './input';
import { commitLink, commitMessage, existingOwner, PORTAL_COMMITTER } from './plan';
import { commitAsUser } from './commits';

type Deps = {
  config: Config;
  integrations: ScmIntegrationRegistry;
  guard: OwnerGuard;
  references: CatalogReferences;
  auditor?: AuditorService;
  auth?: AuthService;
  /** The current time; tests move it. */
  now?: () => Date;
};

type Ctx = Pick<
  ActionContext<any, any>,
  'logger' | 'signal' | 'user' | 'task' | 'templateInfo' | 'checkpoint' | 'getInitiatorCredentials'
>;

const previewName = z.string().min(1).describe('The preview, e.g. pr-42: part of its namespace <service>--<preview>');
const ttlHours = blankAsUnset(z.number().positive().optional().describe('How long it lives, in hours; gitops.previews.defaultTtlHours when not given'));

const createSchema = z.object({
  component: dnsName('Component name').describe('The service in the GitOps repository'),
  preview: previewName,
  imageTag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be a valid image tag').describe('The image tag to run, e.g. a branch build'),
  ttlHours,
});
const extendSchema = z.object({
  component: dnsName('Component name'),
  preview: previewName,
  ttlHours,
});
const deleteSchema = z.object({ component: dnsName('Component name'), preview: previewName });

const outputSchema = (zod: typeof z) =>
  zod.object({
    changed: zod.boolean(),
    namespace: zod.string(),
    expiresAt: zod.string(),
    commitSha: zod.string(),
    commitUrl: zod.string(),
  });

/** Every preview the repository holds, from the Application files of the preview environment. */
export async function listPreviews(
  environment: string,
  read: TreeReader,
  filesUnder: FolderLister,
): Promise<PreviewSummary[]> {
  const previews: PreviewSummary[] = [];
  const files = await filesUnder(previewPaths.applicationsDir(environment));
  for (const file of files.filter(f => f.endsWith('.yaml')).sort()) {
    const [doc] = parseAllDocuments((await read(file)) ?? '').map(d => d.toJS());
    const preview = previewOfApplication(file, doc);
    if (preview) previews.push(preview);
  }
  return previews;
}

/** The files of a preview, as deletions: its overlay (resources included) and its Application. */
async function removalOf(preview: PreviewSummary, filesUnder: FolderLister): Promise<FileChanges> {
  const overlay = await filesUnder(previewPaths.dir(preview.service, preview.preview));
  return new Map([preview.applicationPath, ...overlay].map(f => [f, null]));
}

function ttlOf(settings: GitOpsSettings, requested?: number): number {
  const ttl = requested ?? settings.previews.defaultTtlHours;
  if (ttl > settings.previews.maxTtlHours) {
    throw new InputError(
      `A preview lives at most ${settings.previews.maxTtlHours} hours (gitops.previews.maxTtlHours), not ${ttl}; nothing was committed.`,
    );
  }
  return ttl;
}

/** Owner checks as for every golden path: the service in the catalog, the user in its team. */
async function authorize(deps: Deps, ctx: Ctx, component: string, what: string) {
  const credentials = await ctx.getInitiatorCredentials();
  const owner = await deps.references.ownerOfComponent(component, credentials, what);
  await deps.guard.check(ctx, owner, `component:default/${component}`);
  return owner;
}

function commit(
  deps: Deps,
  ctx: Ctx,
  settings: GitOpsSettings,
  opts: { subject: string; entity: string; key: string; trailers: Array<[string, string]>; change: (read: TreeReader, filesUnder: FolderLister) => Promise<FileChanges> },
) {
  return commitAsUser(deps, ctx, settings, {
    key: opts.key,
    entity: opts.entity,
    message: commitMessage({
      subject: opts.subject,
      template: ctx.templateInfo?.entityRef,
      taskId: ctx.task.id,
      entity: opts.entity,
      requestedBy: ctx.user?.ref,
      trailers: opts.trailers,
    }),
    change: opts.change,
  });
}

/** gitops:preview:create: a short-lived environment of a service, from an image tag. */
export function createPreviewCreateAction(deps: Deps) {
  return createTemplateAction({
    id: 'gitops:preview:create',
    description:
      "Creates a preview environment of a service from an image tag: its own namespace <service>--<preview>, an overlay and an ArgoCD Application in the previews' environment, with a time-to-live written into Git; the reaper removes it when it expires.",
    schema: { input: () => createSchema, output: outputSchema },
    async handler(ctx) {
      const req = parseInput(createSchema, ctx.input, 'preview');
      const problem = previewNameProblem(req.component, req.preview);
      if (problem) throw new InputError(`${problem} Nothing was committed.`);
      const settings = readGitOpsSettings(deps.config);
      const env = settings.platform.environments.find(e => e.name === settings.previews.environment);
      if (!env) {
        throw new InputError(`gitops.previews.environment names ${settings.previews.environment}, which is not in gitops.environments.`);
      }
      const ttl = ttlOf(settings, req.ttlHours);
      const owner = await authorize(deps, ctx, req.component, 'preview');
      const expiresAt = new Date((deps.now?.() ?? new Date()).getTime() + ttl * 3600_000).toISOString();
      const namespaceName = `${req.component}--${req.preview}`;
      const result = await commit(deps, ctx, settings, {
        subject: `Preview ${req.component} ${req.imageTag} as ${req.preview} for ${ttl} h`,
        entity: `component:default/${req.component}`,
        key: `gitops-preview-create-${req.component}-${req.preview}`,
        trailers: [
          ['Preview', namespaceName],
          ['Image-Tag', req.imageTag],
          ['Expires-At', expiresAt],
        ],
        change: async (read, filesUnder) => {
          const recorded = await existingOwner(req.component, read);
          if (!recorded) {
            throw new InputError(`${req.component} is not in the GitOps repository; create it with a service golden path first.`);
          }
          if (recorded.toLowerCase() !== owner.toLowerCase()) {
            throw new ConflictError(`${req.component} is owned by ${recorded} in the GitOps repository, but by ${owner} in the catalog; nothing was changed.`);
          }
          const existing = await listPreviews(settings.previews.environment, read, filesUnder);
          const same = existing.find(p => p.service === req.component && p.preview === req.preview);
          const team = existing.filter(p => p.owner.toLowerCase() === owner.toLowerCase() && p !== same);
          if (team.length >= settings.previews.maxPerTeam) {
            throw new InputError(
              `${owner} has ${team.length} previews already (${team.map(p => p.namespace).join(', ')}), the most a team may have (gitops.previews.maxPerTeam); delete one first. Nothing was committed.`,
            );
          }
          const dev = parse((await read(gitopsPaths.overlayFile(req.component, env.name, 'kustomization.yaml'))) ?? 'null');
          const image = overlayImage(dev ?? undefined, req.component);
          if (!image) {
            throw new InputError(`${req.component} is not deployed to ${env.name}, where previews run; nothing was committed.`);
          }
          // A re-run keeps the expiry it wrote; only extend moves it.
          const files = renderPreview(
            {
              service: req.component,
              preview: req.preview,
              owner,
              image: image.entry.name,
              tag: req.imageTag,
              expiresAt: same?.expiresAt || expiresAt,
            },
            env,
            settings.platform,
          );
          const changes: FileChanges = new Map(files.map(f => [f.path, serializeFile(f)]));
          checkGuardrails(
            await kustomizeTree([files[0].path, files[3].path], read, changes),
            settings.platform.argocdNamespace,
          );
          return changes;
        },
      });
      ctx.output('changed', result.changed);
      ctx.output('namespace', namespaceName);
      ctx.output('expiresAt', expiresAt);
      ctx.output('commitSha', result.sha);
      ctx.output('commitUrl', commitLink(settings.repoUrl, result.sha, previewPaths.application(env.name, req.component, req.preview)));
    },
  });
}

/** Sets a preview's expiry on its overlay, Namespace and Application. */
function withExpiry(text: string, expiresAt: string, where: 'commonAnnotations' | 'metadata'): string {
  const docs = parseAllDocuments(text).map(d => d.toJS());
  for (const doc of docs) {
    if (where === 'commonAnnotations') doc.commonAnnotations = { ...doc.commonAnnotations, [EXPIRES_ANNOTATION]: expiresAt };
    else doc.metadata.annotations = { ...doc.metadata.annotations, [EXPIRES_ANNOTATION]: expiresAt };
  }
  return docs.map(d => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

/** gitops:preview:extend: moves a preview's expiry, within gitops.previews.maxTtlHours from now. */
export function createPreviewExtendAction(deps: Deps) {
  return createTemplateAction({
    id: 'gitops:preview:extend',
    description: "Extends a preview environment's life: its expiry becomes now plus the hours asked for, at most gitops.previews.maxTtlHours.",
    schema: { input: () => extendSchema, output: outputSchema },
    async handler(ctx) {
      const req = parseInput(extendSchema, ctx.input, 'preview');
      const settings = readGitOpsSettings(deps.config);
      const ttl = ttlOf(settings, req.ttlHours);
      await authorize(deps, ctx, req.component, 'extend a preview of');
      const expiresAt = new Date((deps.now?.() ?? new Date()).getTime() + ttl * 3600_000).toISOString();
      const env = settings.previews.environment;
      const appPath = previewPaths.application(env, req.component, req.preview);
      const result = await commit(deps, ctx, settings, {
        subject: `Extend the preview ${req.component}--${req.preview} until ${expiresAt}`,
        entity: `component:default/${req.component}`,
        key: `gitops-preview-extend-${req.component}-${req.preview}-${expiresAt}`,
        trailers: [['Preview', `${req.component}--${req.preview}`], ['Expires-At', expiresAt]],
        change: async read => {
          const app = await read(appPath);
          if (app === undefined) {
            throw new InputError(`${req.component} has no preview ${req.preview}; nothing was committed.`);
          }
          const k = previewPaths.file(req.component, req.preview, 'kustomization.yaml');
          const ns = previewPaths.file(req.component, req.preview, 'namespace.yaml');
          return new Map([
            [appPath, withExpiry(app, expiresAt, 'metadata')],
            [k, withExpiry((await read(k)) ?? '', expiresAt, 'commonAnnotations')],
            [ns, withExpiry((await read(ns)) ?? '', expiresAt, 'metadata')],
          ]);
        },
      });
      ctx.output('changed', result.changed);
      ctx.output('namespace', `${req.component}--${req.preview}`);
      ctx.output('expiresAt', expiresAt);
      ctx.output('commitSha', result.sha);
      ctx.output('commitUrl', commitLink(settings.repoUrl, result.sha, appPath));
    },
  });
}

/** gitops:preview:delete: removes a preview: its Application, overlay and resources, in one commit. */
export function createPreviewDeleteAction(deps: Deps) {
  return createTemplateAction({
    id: 'gitops:preview:delete',
    description: "Deletes a preview environment: one commit removes its ArgoCD Application and its overlay with any Crossplane resources; ArgoCD's finalizer removes what it deployed.",
    schema: { input: () => deleteSchema, output: outputSchema },
    async handler(ctx) {
      const req = parseInput(deleteSchema, ctx.input, 'preview');
      const settings = readGitOpsSettings(deps.config);
      await authorize(deps, ctx, req.component, 'delete a preview of');
      const appPath = previewPaths.application(settings.previews.environment, req.component, req.preview);
      const result = await commit(deps, ctx, settings, {
        subject: `Delete the preview ${req.component}--${req.preview}`,
        entity: `component:default/${req.component}`,
        key: `gitops-preview-delete-${req.component}-${req.preview}`,
        trailers: [['Preview', `${req.component}--${req.preview}`]],
        change: async (read, filesUnder) => {
          const preview = (await listPreviews(settings.previews.environment, read, filesUnder)).find(
            p => p.applicationPath === appPath,
          );
          // Already gone is what was asked for: a re-run changes nothing.
          return preview ? removalOf(preview, filesUnder) : new Map();
        },
      });
      ctx.output('changed', result.changed);
      ctx.output('namespace', `${req.component}--${req.preview}`);
      ctx.output('expiresAt', '');
      ctx.output('commitSha', result.sha);
      ctx.output('commitUrl', result.changed ? commitLink(settings.repoUrl, result.sha, appPath) : '');
    },
  });
}

/**
 * Removes every preview whose expiry has passed, in one commit by the portal naming each; a run
 * with nothing expired commits nothing, so running it twice, or on two replicas, does no harm.
 */
export async function reapExpiredPreviews(opts: {
  config: Config;
  integrations: ScmIntegrationRegistry;
  auth?: AuthService;
  logger: LoggerService;
  now?: Date;
}): Promise<{ removed: string[]; sha?: string }> {
  const settings = readGitOpsSettings(opts.config);
  const now = opts.now ?? new Date();
  let removed: string[] = [];
  const result = await commitAndPush({
    repoUrl: settings.repoUrl,
    branch: settings.branch,
    auth: await gitAuthFor(settings.repoUrl, opts.integrations, settings.credentials, opts.auth),
    author: PORTAL_COMMITTER,
    committer: PORTAL_COMMITTER,
    message: '',
    maxAttempts: settings.maxPushAttempts,
    logger: opts.logger,
    change: async (read, filesUnder) => {
      const expired = (await listPreviews(settings.previews.environment, read, filesUnder)).filter(
        p => p.expiresAt && Date.parse(p.expiresAt) <= now.getTime(),
      );
      removed = expired.map(p => p.namespace);
      const changes: FileChanges = new Map();
      for (const p of expired) for (const [k, v] of await removalOf(p, filesUnder)) changes.set(k, v);
      return changes;
    },
    messageOf: () =>
      [
        `Remove ${removed.length} expired preview${removed.length === 1 ? '' : 's'}`,
        '',
        ...removed.map(ns => `Expired-Preview: ${ns}`),
      ].join('\n'),
  });
  if (result.changed) opts.logger.info(`Removed expired previews ${removed.join(', ')} in ${result.sha}`);
  return result.changed ? { removed, sha: result.sha } : { removed: [] };
}

import { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  attachResourceToDeployment,
  attachResourceToNetworkPolicy,
  blankAsUnset,
  CROSSPLANE_KIND_ANNOTATION,
  dnsName,
  gitopsPaths,
  relativeToOverlay,
  resourceFile,
  resourceRequestSchema,
  serializeFile,
} from '@internal/plugin-gitops-common';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod/v3';
import { readGitOpsSettings } from '../config';
import { gitAuthFor } from '@internal/plugin-platform-node';
import { commitAndPush, FileChanges, TreeReader } from '../git/GitOpsRepository';
import { checkGuardrails, kustomizeTree } from '@internal/plugin-guardrails-node';
import { ManifestValidator } from '../validation/ManifestValidator';
import {
  authorOf,
  commitLink,
  commitMessage,
  existingOwner,
  fileUrl,
  PORTAL_COMMITTER,
} from './plan';
import { AuditorService, AuthService } from '@backstage/backend-plugin-api';
import { AUDIT_EVENTS } from '@internal/plugin-access-common';
import { audited } from '../access/audit';
import { OwnerGuard } from '../access/OwnerGuard';
import { CatalogReferences } from '../access/CatalogReferences';
import { auditMeta } from './commits';
import { parseInput } from './input';

const CATALOG_TYPES: Record<string, string> = {
  Database: 'database',
  Cache: 'cache',
  Queue: 'queue',
  DocumentDatabase: 'document-database',
};

const requestSchema = z.object({
  component: dnsName('Component name').describe('Name of the service in the GitOps repository'),
  owner: z.string().min(1).describe("The component's owner; must match the GitOps repository"),
  system: blankAsUnset(z.string().optional()),
  resource: resourceRequestSchema,
  environments: blankAsUnset(z.array(z.string()).min(1).optional()),
});
type AttachRequest = z.infer<typeof requestSchema>;

/** `payments-team` → `group:default/payments-team`, as the catalog would read it. */
function fullOwnerRef(owner: string) {
  return owner.includes(':') ? owner : `group:default/${owner.replace(/^.*\//, '')}`;
}

function catalogPath(component: string, resource: string) {
  return `catalog/${component}/${resource}.yaml`;
}

const dump = (docs: unknown[]) =>
  docs.map(d => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');

/** The change that attaches a resource to a service already in the GitOps repository. */
async function planAttach(
  req: AttachRequest,
  settings: ReturnType<typeof readGitOpsSettings>,
  validator: ManifestValidator,
  read: TreeReader,
): Promise<FileChanges> {
  const owner = await existingOwner(req.component, read);
  if (!owner) {
    throw new InputError(
      `"${req.component}" is not in the GitOps repository, so there is nothing to attach a ${req.resource.kind} to. Create it with a service golden path first.`,
    );
  }
  if (owner !== fullOwnerRef(req.owner)) {
    throw new ConflictError(
      `"${req.component}" is owned by ${owner} in the GitOps repository, not by ${fullOwnerRef(req.owner)}; nothing was changed.`,
    );
  }
  const changes: FileChanges = new Map();
  const envs = req.environments ?? settings.platform.environments.map(e => e.name);
  let attachedTo = 0;
  for (const env of envs) {
    const kPath = gitopsPaths.overlayFile(req.component, env, 'kustomization.yaml');
    const text = await read(kPath);
    if (text === undefined) {
      if (req.environments) {
        throw new InputError(`"${req.component}" is not deployed to ${env}; attach the resource to its environments only.`);
      }
      continue;
    }
    const file = resourceFile({ name: req.component }, req.resource, env, settings.platform);
    const kustomization = parse(text);
    const rel = relativeToOverlay(req.component, env, file.path);
    if (!kustomization.resources.includes(rel)) kustomization.resources.push(rel);
    changes.set(file.path, serializeFile(file));
    changes.set(kPath, dump([kustomization]));
    attachedTo++;
  }
  if (attachedTo === 0) {
    throw new InputError(`"${req.component}" has no environments in the GitOps repository.`);
  }

  // The workload gets the connection secret and may reach the resource's port.
  const depPath = gitopsPaths.baseFile(req.component, 'deployment.yaml');
  const deployments = parseAllDocuments((await read(depPath)) ?? '').map(d => d.toJS());
  attachResourceToDeployment(deployments[0], req.resource);
  changes.set(depPath, dump(deployments));
  const npPath = gitopsPaths.baseFile(req.component, 'networkpolicy.yaml');
  const policies = parseAllDocuments((await read(npPath)) ?? '').map(d => d.toJS());
  const allow = policies.find(p => p?.metadata?.name === `${req.component}-allow`);
  if (allow) attachResourceToNetworkPolicy(allow, req.resource);
  changes.set(npPath, dump(policies));

  const problems = validator.validateFiles([
    { path: depPath, documents: deployments },
    { path: npPath, documents: policies },
  ]);
  if (problems.length) {
    throw new Error(`The changed manifests do not match their schemas, so nothing was committed:\n${problems.join('\n')}`);
  }
  // The service as each environment would build it with the resource attached, against the
  // same guardrails the clusters enforce.
  const overlays = envs.map(env => gitopsPaths.overlayFile(req.component, env, 'kustomization.yaml'));
  checkGuardrails(await kustomizeTree(overlays, read, changes), settings.platform.argocdNamespace);

  // The catalog's view of it, depended on by the component.
  changes.set(
    catalogPath(req.component, req.resource.name),
    dump([
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: req.resource.name,
          description: `${req.resource.kind} (${req.resource.size}) of ${req.component}, provisioned by Crossplane`,
          annotations: {
            'backstage.io/kubernetes-id': req.component,
            [CROSSPLANE_KIND_ANNOTATION]: req.resource.kind,
          },
        },
        spec: {
          type: CATALOG_TYPES[req.resource.kind],
          owner: fullOwnerRef(req.owner),
          ...(req.system ? { system: req.system } : {}),
          dependencyOf: [`component:default/${req.component}`],
        },
      },
    ]),
  );
  return changes;
}

/** gitops:resource:publish: attaches a Crossplane resource to an existing service. */
export function createResourcePublishAction(deps: {
  config: Config;
  integrations: ScmIntegrationRegistry;
  validator: ManifestValidator;
  guard: OwnerGuard;
  /** Reads what the request refers to with the user's credentials. */
  references: CatalogReferences;
  auditor?: AuditorService;
  auth?: AuthService;
}) {
  return createTemplateAction({
    id: 'gitops:resource:publish',
    description:
      'Attaches a self-service cloud resource (Crossplane Database, Cache, Queue or DocumentDatabase) to a service in the GitOps repository, in each of its environments, and writes its catalog Resource entity.',
    examples: [
      {
        description: 'Give payments-api a medium PostgreSQL database',
        example: stringify({
          steps: [
            {
              id: 'attach',
              action: 'gitops:resource:publish',
              input: {
                component: 'payments-api',
                owner: 'group:default/payments-team',
                resource: { kind: 'Database', name: 'payments-db', size: 'medium' },
              },
            },
          ],
        }),
      },
    ],
    schema: {
      input: () => requestSchema,
      output: zod =>
        zod.object({
          commitSha: zod.string(),
          commitUrl: zod.string(),
          catalogInfoUrl: zod.string(),
          changed: zod.boolean(),
          paths: zod.array(zod.string()),
        }),
    },
    async handler(ctx) {
      const req = parseInput(requestSchema, ctx.input);
      const entityRef = `resource:default/${req.resource.name}`;
      const settings = readGitOpsSettings(deps.config);
      // What the request refers to, as the user sees the catalog, before any side effect.
      const credentials = await ctx.getInitiatorCredentials();
      await deps.references.assertComponent(req.component, credentials);
      await deps.references.assertOwnerIsGroup(fullOwnerRef(req.owner), credentials);
      const name = await deps.references.claimResourceName(req.resource, req.component, credentials);
      if (name === 'ours') {
        ctx.logger.info(
          `${entityRef} is already the ${req.resource.kind} of ${req.component} in the catalog; this is a re-run`,
        );
      }
      // Only for a component of one of the user's teams, whatever was sent;
      // planAttach checks that owner against the GitOps repository too.
      await deps.guard.check(ctx, req.owner, entityRef);
      const commitAudit = { ...auditMeta(ctx, entityRef), component: req.component, repoUrl: settings.repoUrl };
      const result = await ctx.checkpoint({
        key: `gitops-resource-publish-${req.component}-${req.resource.name}`,
        fn: async () =>
          audited(deps.auditor, AUDIT_EVENTS.gitopsCommit, commitAudit, async () => commitAndPush({
            repoUrl: settings.repoUrl,
            branch: settings.branch,
            auth: await gitAuthFor(settings.repoUrl, deps.integrations, settings.credentials, deps.auth),
            author: authorOf(ctx.user),
            committer: PORTAL_COMMITTER,
            message: commitMessage({
              subject: `Add ${req.resource.kind} ${req.resource.name} to ${req.component}`,
              template: ctx.templateInfo?.entityRef,
              taskId: ctx.task.id,
              entity: `resource:default/${req.resource.name}`,
              requestedBy: ctx.user?.ref,
            }),
            change: read => planAttach(req, settings, deps.validator, read),
            maxAttempts: settings.maxPushAttempts,
            logger: ctx.logger,
            signal: ctx.signal,
          }), r => ({ commitSha: r.sha, changed: r.changed })),
      });
      ctx.logger.info(
        result.changed
          ? `Attached ${req.resource.kind} ${req.resource.name} to ${req.component} in ${result.sha}`
          : `${req.component} already has ${req.resource.kind} ${req.resource.name}; nothing to commit`,
      );
      const entityFile = catalogPath(req.component, req.resource.name);
      ctx.output('commitSha', result.sha);
      ctx.output('commitUrl', commitLink(settings.repoUrl, result.sha, entityFile));
      ctx.output('catalogInfoUrl', fileUrl(settings.repoUrl, settings.branch, entityFile, deps.integrations));
      ctx.output('changed', result.changed);
      ctx.output('paths', result.paths);
    },
  });
}

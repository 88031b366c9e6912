import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { randomUUID } from 'crypto';
import os from 'os';
import { readDeployments } from '../deployments/deploymentsRouter';
import { verdictOf } from '../deployments/sourceHealth';

type Deps = {
  catalog: CatalogService;
  auth: AuthService;
  promote: TemplateAction<any, any, any>;
  rollback: TemplateAction<any, any, any>;
  previews: {
    create: TemplateAction<any, any, any>;
    extend: TemplateAction<any, any, any>;
    delete: TemplateAction<any, any, any>;
  };
  deployments: Parameters<typeof readDeployments>[0];
};

/** Only a user may act: a static or service token is not someone the owner check can decide on. */
function userOf(auth: AuthService, credentials: BackstageCredentials): string {
  if (!auth.isPrincipal(credentials, 'user')) {
    throw new NotAllowedError(
      'Promote and roll back run only as a signed-in user, whose teams decide what they may change; a service or static token cannot.',
    );
  }
  return credentials.principal.userEntityRef;
}

/**
 * Runs a gitops scaffolder action for a caller of the actions registry, as that user: the same
 * handler, owner checks, guardrails and commit trailers as from the portal. The scaffolder's
 * ActionContext exists only inside a task, so the parts the handler uses are given here.
 */
async function runAs(
  deps: Deps,
  action: TemplateAction<any, any, any>,
  input: Record<string, unknown>,
  credentials: BackstageCredentials,
  logger: LoggerService,
): Promise<Record<string, unknown>> {
  const ref = userOf(deps.auth, credentials);
  const entity = await deps.catalog.getEntityByRef(ref, { credentials });
  const output: Record<string, unknown> = {};
  const id = `action-${randomUUID()}`;
  await action.handler({
    input,
    logger,
    user: { ref, entity },
    task: { id },
    templateInfo: { entityRef: `action:scaffolder/${action.id.replace(/^gitops:/, '')}` },
    secrets: {},
    workspacePath: os.tmpdir(),
    isDryRun: false,
    getInitiatorCredentials: async () => credentials,
    // Outside a task there is no checkpoint store: each step runs, and is idempotent anyway.
    checkpoint: async ({ fn }: { fn: () => Promise<unknown> }) => fn(),
    output: (key: string, value: unknown) => {
      output[key] = value;
    },
    createTemporaryDirectory: async () => os.tmpdir(),
  } as any);
  return output;
}

const componentInput = 'The service, as its catalog name (orders-api) or entity reference';
const nameOf = (component: string) => component.replace(/^component:(default\/)?/i, '');

/**
 * Promote, roll back and the deployments view as actions of Backstage's actions registry, so
 * the CLI (`backstage-cli actions execute`) and MCP clients (plugin-mcp-actions-backend) can
 * run them with the caller's identity.
 */
export function registerDeploymentActions(registry: ActionsRegistryService, deps: Deps) {
  const result = (z: any) =>
    z.object({
      changed: z.boolean(),
      image: z.string(),
      commitSha: z.string(),
      commitUrl: z.string(),
      pullRequestUrl: z.string(),
    });

  registry.register({
    name: 'promote',
    title: 'Promote a service',
    description:
      "Copies the image a service runs in one environment to the next in the platform's order (dev, staging, prod), as a Git commit by the caller, or a pull request where the environment takes changes by review. Refused while the source is not Synced and Healthy at that image, unless a justification of at least 20 characters is given.",
    attributes: { destructive: false, idempotent: true, readOnly: false },
    schema: {
      input: z =>
        z.object({
          component: z.string().describe(componentInput),
          from: z.string().describe('The environment whose image is promoted, e.g. dev'),
          to: z.string().optional().describe('The target; the next environment when not given'),
          justification: z
            .string()
            .optional()
            .describe('Why to promote although the source is not Synced and Healthy; recorded in the commit'),
        }),
      output: result,
    },
    action: async ({ input, credentials, logger }) => ({
      output: (await runAs(
        deps,
        deps.promote,
        { ...input, component: nameOf(input.component) },
        credentials,
        logger,
      )) as any,
    }),
  });

  registry.register({
    name: 'rollback',
    title: 'Roll back a service',
    description:
      "Puts an earlier image of a service back in one environment, chosen from that environment's Git history (the one before the current by default), as a new Git commit by the caller, never a force-push.",
    attributes: { destructive: false, idempotent: true, readOnly: false },
    schema: {
      input: z =>
        z.object({
          component: z.string().describe(componentInput),
          environment: z.string().describe('The environment to roll back'),
          version: z.string().optional().describe('An earlier tag or digest; the previous one when not given'),
          justification: z.string().optional().describe('Why, recorded in the commit'),
        }),
      output: result,
    },
    action: async ({ input, credentials, logger }) => ({
      output: (await runAs(
        deps,
        deps.rollback,
        { ...input, component: nameOf(input.component) },
        credentials,
        logger,
      )) as any,
    }),
  });

  const previewResult = (z: any) =>
    z.object({
      changed: z.boolean(),
      namespace: z.string(),
      expiresAt: z.string(),
      commitSha: z.string(),
      commitUrl: z.string(),
    });
  const previewActions = [
    {
      name: 'preview-create',
      title: 'Create a preview environment',
      description:
        "Creates a short-lived environment of a service from an image tag, in its own namespace <service>--<preview>, as a Git commit by the caller; it is removed when its time-to-live ends. Each team may have a limited number at once.",
      action: deps.previews.create,
      input: (z: any) =>
        z.object({
          component: z.string().describe(componentInput),
          preview: z.string().describe('The preview name, e.g. pr-42'),
          imageTag: z.string().describe('The image tag to run'),
          ttlHours: z.number().optional().describe('Hours to live; the platform default when not given'),
        }),
    },
    {
      name: 'preview-extend',
      title: 'Extend a preview environment',
      description: "Moves a preview environment's expiry to now plus the hours asked for, within the platform's maximum, as a Git commit by the caller.",
      action: deps.previews.extend,
      input: (z: any) =>
        z.object({
          component: z.string().describe(componentInput),
          preview: z.string().describe('The preview name'),
          ttlHours: z.number().optional().describe('Hours to live from now'),
        }),
    },
    {
      name: 'preview-delete',
      title: 'Delete a preview environment',
      description: 'Removes a preview environment (its Application, overlay and resources) in one Git commit by the caller.',
      action: deps.previews.delete,
      input: (z: any) =>
        z.object({
          component: z.string().describe(componentInput),
          preview: z.string().describe('The preview name'),
        }),
    },
  ];
  for (const p of previewActions) {
    registry.register({
      name: p.name,
      title: p.title,
      description: p.description,
      attributes: { destructive: p.name === 'preview-delete', idempotent: true, readOnly: false },
      schema: { input: p.input, output: previewResult },
      action: async ({ input, credentials, logger }) => ({
        output: (await runAs(
          deps,
          p.action,
          { ...input, component: nameOf((input as any).component) },
          credentials,
          logger,
        )) as any,
      }),
    });
  }

  registry.register({
    name: 'health',
    title: 'Health of a component',
    description:
      'The health verdict of a component across its environments (pods, ArgoCD, Crossplane, Azure alerts) with the reasons, as its Health card shows it.',
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({ component: z.string().describe(componentInput) }),
      output: z =>
        z.object({
          state: z.string(),
          reasons: z.array(z.object({ state: z.string(), source: z.string(), message: z.string() })),
          environments: z.array(z.object({ environment: z.string(), state: z.string() })),
        }),
    },
    action: async ({ input, credentials }) => {
      const ref = `component:default/${nameOf(input.component)}`;
      if (!(await deps.catalog.getEntityByRef(ref, { credentials }))) {
        throw new NotFoundError(`no entity ${ref}, or you may not see it`);
      }
      const answer = await verdictOf(deps.deployments, nameOf(input.component), credentials);
      if (typeof answer === 'string') throw new Error(`The health of ${ref} could not be read: ${answer}`);
      return {
        output: {
          state: answer.verdict.state,
          reasons: answer.verdict.reasons.map(r => ({ state: r.state, source: r.source, message: r.message })),
          environments: answer.environments.map(e => ({ environment: e.environment, state: e.state })),
        },
      };
    },
  });

  registry.register({
    name: 'deployments',
    title: 'Where a service runs',
    description:
      "Per environment: the image the GitOps repository gives the service, who changed it last, what ArgoCD synced and its health, and whether Git and the cluster agree, in words.",
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({ component: z.string().describe(componentInput) }),
      output: z =>
        z.object({
          component: z.string(),
          clusterError: z.string().optional(),
          environments: z.array(
            z.object({
              environment: z.string(),
              image: z.string().optional(),
              agreement: z.string(),
              explanation: z.string(),
              sync: z.string().optional(),
              health: z.string().optional(),
              lastChangedBy: z.string().optional(),
            }),
          ),
          previews: z.array(
            z.object({ preview: z.string(), namespace: z.string(), image: z.string().optional(), expiresAt: z.string() }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const ref = `component:default/${nameOf(input.component)}`;
      const entity = await deps.catalog.getEntityByRef(ref, { credentials });
      if (!entity) throw new NotFoundError(`no entity ${ref}, or you may not see it`);
      const view = await readDeployments(deps.deployments, entity, credentials);
      return {
        output: {
          component: view.component,
          ...(view.clusterError ? { clusterError: view.clusterError } : {}),
          environments: view.environments.map(r => ({
            environment: r.environment,
            image: r.git?.image,
            agreement: r.agreement,
            explanation: r.explanation,
            sync: r.cluster?.syncStatus,
            health: r.cluster?.healthStatus,
            lastChangedBy: r.git?.lastChange?.author,
          })),
          previews: view.previews.map(p => ({
            preview: p.preview,
            namespace: p.namespace,
            expiresAt: p.expiresAt,
            ...(p.image ? { image: p.image } : {}),
          })),
        },
      };
    },
  });
}

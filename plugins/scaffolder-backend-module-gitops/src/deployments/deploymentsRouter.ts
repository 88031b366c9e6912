import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  DiscoveryService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { TimelineStore } from '../timeline/TimelineStore';
import {
  DeploymentRow,
  DeploymentsResponse,
  gitopsPaths,
  OverlayChange,
  overlayImage,
  previewPaths,
  PreviewRow,
  TimelineResponse,
  waitingOn,
} from '@internal/plugin-gitops-common';
import { KUBERNETES_ID_ANNOTATION } from '@internal/plugin-platform-common';
import { gitAuthFor, readableEntity } from '@internal/plugin-platform-node';
import express from 'express';
import Router from 'express-promise-router';
import { parse } from 'yaml';
import { commitLink } from '../actions/plan';
import { readGitOpsSettings } from '../config';
import { FileVersion, History, withHistory } from '../git/history';
import { environmentsOf } from './sourceHealth';
import { listPreviews } from '../actions/preview';

type Deps = {
  config: Config;
  integrations: ScmIntegrationRegistry;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  discovery: DiscoveryService;
  auth: AuthService;
  auditor?: AuditorService;
  timelines?: Pick<TimelineStore, 'ofEntity'>;
};

const short = (sha?: string) => (sha && /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : sha ?? '');

/**
 * The deployments view of a component: per environment, the image Git gives its overlay and who
 * changed it last, against what ArgoCD synced and the pods run (through the health plugin, as
 * the caller), with any disagreement said in words.
 */
export async function createDeploymentsRouter(deps: Deps): Promise<express.Router> {
  const router = Router();

  router.get('/gitops/v1/deployments/:kind/:namespace/:name', async (req, res) => {
    const entity = await readableEntity(deps, req, 'deployments-read');
    const credentials = await deps.httpAuth.credentials(req, { allow: ['user', 'service'] });
    const body: DeploymentsResponse = await readDeployments(deps, entity, credentials);
    res.json(body);
  });

  router.get('/gitops/v1/timeline/:kind/:namespace/:name', async (req, res) => {
    const entity = await readableEntity(deps, req, 'timeline-read');
    const timelines = (await deps.timelines?.ofEntity(stringifyEntityRef(entity))) ?? [];
    const now = new Date();
    const body: TimelineResponse = {
      timelines: timelines.map(t => ({ ...t, waiting: waitingOn(t, now) })),
    };
    res.json(body);
  });

  return router;
}

/** The deployments view of an entity the caller may read, asked as the caller. */
export async function readDeployments(
  deps: Omit<Deps, 'httpAuth' | 'catalog' | 'auditor'>,
  entity: Entity,
  credentials: BackstageCredentials,
): Promise<DeploymentsResponse> {
    const component =
      entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ?? entity.metadata.name;
    const settings = readGitOpsSettings(deps.config);
    const auth = await gitAuthFor(settings.repoUrl, deps.integrations, settings.credentials, deps.auth);
    const envs = settings.platform.environments;

    // The cluster side is asked while the history is cloned.
    const clusterAnswer = environmentsOf(deps, component, credentials);
    const { rows, previews } = await withHistory(
      { repoUrl: settings.repoUrl, branch: settings.branch, auth },
      async (history): Promise<{ rows: DeploymentRow[]; previews: PreviewRow[] }> => {
        const cluster = await clusterAnswer;
        const changeOf = (v: FileVersion, file: string): OverlayChange => ({
          sha: v.sha,
          author: v.author,
          at: new Date(v.timestamp * 1000).toISOString(),
          subject: v.message,
          url: commitLink(settings.repoUrl, v.sha, file),
        });
        const result: DeploymentRow[] = [];
        for (const [i, env] of envs.entries()) {
          const file = gitopsPaths.overlayFile(component, env.name, 'kustomization.yaml');
          const images = (await history.versions(file, 20))
            .map(v => ({ v, image: overlayImage(parse(v.content) ?? {}, component) }))
            .filter(x => x.image);
          const current = images[0];
          const seen = new Set<string>(current ? [current.image!.reference] : []);
          const earlier = images.slice(1).flatMap(({ v, image }) => {
            if (seen.has(image!.reference)) return [];
            seen.add(image!.reference);
            return [{ version: image!.version, image: image!.reference, change: changeOf(v, file) }];
          });
          const row =
            typeof cluster === 'string'
              ? undefined
              : cluster.environments.find(r => r.environment === env.name);
          const promotesTo = envs[i + 1]?.name;
          result.push(
            await agree(
              {
                environment: env.name,
                pullRequest: Boolean(env.pullRequest),
                ...(current
                  ? {
                      git: {
                        image: current.image!.reference,
                        version: current.image!.version,
                        lastChange: changeOf(current.v, file),
                        earlier,
                      },
                    }
                  : {}),
                ...(row?.application
                  ? {
                      cluster: {
                        syncStatus: row.application.syncStatus,
                        healthStatus: row.application.healthStatus,
                        revision: row.application.revision,
                        syncedAt: row.application.syncedAt,
                        imageTags: row.imageTags,
                        message: row.application.message,
                      },
                    }
                  : {}),
                ...(promotesTo ? { promotesTo } : {}),
              },
              history,
            ),
          );
        }
        // Previews of this component: their Applications, and the image of their overlays.
        const previewEnv = settings.previews.environment;
        const previewRows: PreviewRow[] = [];
        for (const p of await listPreviews(previewEnv, history.read, history.filesUnder)) {
          if (p.service !== component) continue;
          const k = parse((await history.read(previewPaths.file(component, p.preview, 'kustomization.yaml'))) ?? 'null');
          const image = overlayImage(k ?? undefined, component);
          previewRows.push({
            preview: p.preview,
            namespace: p.namespace,
            environment: previewEnv,
            expiresAt: p.expiresAt,
            owner: p.owner,
            ...(image ? { image: image.reference, version: image.version } : {}),
          });
        }
        return { rows: result, previews: previewRows };
      },
    );
    const cluster = await clusterAnswer;
    return {
      component,
      environments: rows,
      previews,
      ...(typeof cluster === 'string' ? { clusterError: cluster } : {}),
    };
}

/** Says whether Git and the cluster agree for a row, and if not, what is waiting on what. */
async function agree(
  row: Omit<DeploymentRow, 'agreement' | 'explanation'>,
  history: History,
): Promise<DeploymentRow> {
  const { git, cluster } = row;
  if (!git) {
    return { ...row, agreement: 'unknown', explanation: `Not deployed to ${row.environment}.` };
  }
  if (!cluster) {
    return {
      ...row,
      agreement: 'unknown',
      explanation: `Git has ${git.version}; the cluster of ${row.environment} did not say what it runs.`,
    };
  }
  const last = git.lastChange;
  const included = last && cluster.revision ? await history.includes(cluster.revision, last.sha) : undefined;
  if (included === false || (cluster.syncStatus === 'OutOfSync' && included !== true)) {
    return {
      ...row,
      agreement: 'pending',
      explanation: `Committed ${git.version} in ${short(last?.sha)}${last ? ` by ${last.author}` : ''}; ArgoCD is still at ${short(cluster.revision) || 'an older revision'} (${cluster.syncStatus}).`,
    };
  }
  if (included === undefined && cluster.revision) {
    return {
      ...row,
      agreement: 'unknown',
      explanation: `ArgoCD reports revision ${short(cluster.revision)}, which is not on the GitOps branch.`,
    };
  }
  if (!cluster.imageTags.includes(git.version)) {
    return {
      ...row,
      agreement: 'rolling-out',
      explanation: `ArgoCD has synced ${git.version}; the pods run ${cluster.imageTags.join(', ') || 'nothing yet'}.`,
    };
  }
  return {
    ...row,
    agreement: 'synced',
    explanation: `Runs ${git.version}, synced at ${short(cluster.revision)}, ${cluster.healthStatus}.`,
  };
}

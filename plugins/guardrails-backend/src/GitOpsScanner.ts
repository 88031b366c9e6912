import { LoggerService } from '@backstage/backend-plugin-api';
import { gitopsPaths } from '@internal/plugin-gitops-common';
import {
  GuardrailResult,
  ScanInfo,
  ServiceEvaluation,
} from '@internal/plugin-guardrails-common';
import {
  evaluateManifests,
  kustomizeTree,
} from '@internal/plugin-guardrails-node';
import { gitAuthOptions, type GitAuth } from '@internal/plugin-platform-node';
import fs from 'fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import os from 'os';
import path from 'path';

export type GitOpsScannerOptions = {
  repoUrl: string;
  branch: string;
  argocdNamespace: string;
  /** Asked before every scan: a forge token may have expired since the last. */
  auth: () => Promise<GitAuth | undefined>;
  logger: LoggerService;
  /** platform/policies; the one shipped with the portal by default. */
  policiesDirectory?: string;
};

export type ScanState = { scan: ScanInfo; evaluations: ServiceEvaluation[] };

/**
 * Reads the GitOps repository's branch and evaluates every service's overlays, with its Argo CD
 * Application, as Argo CD would build them: a commit made outside the portal is judged by the
 * same rules as a golden path's.
 */
export class GitOpsScanner {
  private state: ScanState;

  constructor(private readonly options: GitOpsScannerOptions) {
    this.state = {
      scan: { repoUrl: options.repoUrl, branch: options.branch, services: 0 },
      evaluations: [],
    };
  }

  current(): ScanState {
    return this.state;
  }

  /** Scans the branch head; an unchanged head is not read again. Never throws: a failure is kept in scan.error. */
  async scan(): Promise<ScanState> {
    const { repoUrl, branch, logger } = this.options;
    const scannedAt = new Date().toISOString();
    try {
      const auth = await this.options.auth();
      const head = await this.head(auth);
      if (head !== this.state.scan.commit) {
        const evaluations = await this.evaluate(head, auth);
        this.state = {
          scan: {
            repoUrl,
            branch,
            commit: head,
            scannedAt,
            services: new Set(evaluations.map(e => e.service)).size,
          },
          evaluations,
        };
        logger.info(`Scanned ${repoUrl}#${branch} at ${head}`, {
          services: this.state.scan.services,
          failures: evaluations.reduce(
            (n, e) => n + e.results.filter(r => r.status === 'failed').length,
            0,
          ),
        });
      } else {
        this.state = { ...this.state, scan: { ...this.state.scan, scannedAt, error: undefined } };
      }
    } catch (error: any) {
      logger.warn(`Guardrails scan of ${repoUrl}#${branch} failed: ${error}`);
      this.state = {
        ...this.state,
        scan: {
          ...this.state.scan,
          error: `The GitOps repository could not be read (${error.message}); the findings shown are those of the last commit read. Check gitops.repoUrl and gitops.credentials.`,
        },
      };
    }
    return this.state;
  }

  private async head(auth: GitAuth | undefined): Promise<string> {
    const { repoUrl, branch } = this.options;
    const info = await git.getRemoteInfo2({
      http,
      url: repoUrl,
      protocolVersion: 1,
      ...gitAuthOptions(auth),
    });
    const ref = (info.refs ?? []).find(r => r.ref === `refs/heads/${branch}`);
    if (!ref) throw new Error(`the repository has no branch ${branch}`);
    return ref.oid;
  }

  private async evaluate(
    head: string,
    auth: GitAuth | undefined,
  ): Promise<ServiceEvaluation[]> {
    const { repoUrl, branch } = this.options;
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'guardrails-scan-'));
    try {
      await git.clone({
        fs,
        http,
        dir,
        url: repoUrl,
        ref: branch,
        singleBranch: true,
        depth: 1,
        noTags: true,
        ...gitAuthOptions(auth),
      });
      const commit = await git.resolveRef({ fs, dir, ref: 'HEAD' });
      if (commit !== head) {
        // Pushed to between the listing and the clone: judge what was cloned.
        this.options.logger.debug(`${branch} moved from ${head} to ${commit} during the scan`);
      }
      const read = async (p: string) => {
        const file = path.join(dir, ...p.split('/'));
        if (!file.startsWith(dir + path.sep)) return undefined;
        return fs.promises.readFile(file, 'utf8').catch(() => undefined);
      };
      const evaluations: ServiceEvaluation[] = [];
      for (const service of await subdirectories(path.join(dir, 'apps'))) {
        const overlays = path.join(dir, gitopsPaths.serviceRoot(service), 'overlays');
        for (const environment of await subdirectories(overlays)) {
          evaluations.push({
            service,
            environment,
            results: await this.evaluateOverlay(service, environment, read),
          });
        }
      }
      return evaluations;
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }

  private async evaluateOverlay(
    service: string,
    environment: string,
    read: (p: string) => Promise<string | undefined>,
  ): Promise<GuardrailResult[]> {
    const root = gitopsPaths.overlayFile(service, environment, 'kustomization.yaml');
    try {
      const files = await kustomizeTree(
        [root, gitopsPaths.application(service, environment)],
        read,
        new Map(),
      );
      return evaluateManifests(
        files,
        this.options.argocdNamespace,
        this.options.policiesDirectory,
      );
    } catch (error: any) {
      // Argo CD could not build it either; say so rather than report nothing.
      return [
        {
          status: 'not-checked',
          rule: 'kustomize-build',
          policy: 'kustomize-build',
          validation: 0,
          title: 'The overlay builds with kustomize',
          binding: 'kustomize-build',
          actions: ['Deny'],
          object: {
            apiVersion: 'kustomize.config.k8s.io/v1beta1',
            kind: 'Kustomization',
            name: gitopsPaths.overlay(service, environment),
          },
          message: `${root} could not be built: ${error.message}`,
        },
      ];
    }
  }
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter(e => e.isDirectory())
    .map(e => e.name)
    .sort();
}

import { AuthService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  createTemplateAction,
  getRepoSourceDirectory,
  initRepoAndPush,
} from '@backstage/plugin-scaffolder-node';
import { blankAsUnset, dnsName } from '@internal/plugin-gitops-common';
import fs from 'fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import os from 'os';
import path from 'path';
import { readGitOpsSettings } from '../config';
import { gitAuthFor, gitAuthOptions } from '@internal/plugin-platform-node';
import { describeGitError, GitAuth } from '../git/GitOpsRepository';
import { createRepository, repositoryLocation } from '../git/createRepository';
import { z } from 'zod/v3';
import { authorOf, fileUrl } from './plan';
import { parseInput } from './input';

async function listFiles(root: string, dir = ''): Promise<string[]> {
  const entries = await fs.promises.readdir(path.join(root, dir), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, rel)));
    else files.push(rel);
  }
  return files.sort();
}

async function sameTree(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([listFiles(a), listFiles(b)]);
  if (fa.join('\n') !== fb.join('\n')) return false;
  for (const f of fa) {
    const [ca, cb] = await Promise.all([
      fs.promises.readFile(path.join(a, f)),
      fs.promises.readFile(path.join(b, f)),
    ]);
    if (!ca.equals(cb)) return false;
  }
  return true;
}

const inputSchema = z.object({
  name: dnsName('Repository name').describe('Repository name'),
  sourcePath: blankAsUnset(
    z.string().optional().describe('Subdirectory of the workspace to publish'),
  ),
  defaultBranch: blankAsUnset(z.string().optional().describe('main when not given')),
  description: blankAsUnset(
    z.string().optional().describe('Repository description, where the host has one'),
  ),
});

/**
 * gitops:repo:publish: pushes the workspace as a new service repository to a
 * plain Git host that creates repositories on first push. Running it again
 * with the same content changes nothing; different content is refused.
 */
export function createRepoPublishAction(deps: {
  config: Config;
  integrations: ScmIntegrationRegistry;
  /** Signs the pushes to the embedded Git host. */
  auth?: AuthService;
}) {
  return createTemplateAction({
    id: 'gitops:repo:publish',
    description:
      'Creates the service repository on the configured Git host (gitops.repositories.baseUrl) with the workspace as its first commit, authored by the user who asked.',
    examples: [
      {
        description: 'Publish the rendered skeleton',
        example: 'steps:\n  - id: publish\n    action: gitops:repo:publish\n    input:\n      name: payments-api\n',
      },
    ],
    schema: {
      input: () => inputSchema,
      output: zod =>
        zod.object({
          remoteUrl: zod.string(),
          repoContentsUrl: zod.string(),
          catalogInfoUrl: zod.string(),
          commitSha: zod.string(),
          created: zod.boolean(),
        }),
    },
    async handler(ctx) {
      const input = parseInput(inputSchema, ctx.input);
      const settings = readGitOpsSettings(deps.config);
      const repos = deps.config.getOptionalConfig('gitops.repositories');
      if (!repos) {
        throw new InputError(
          'No service repository host is configured: set gitops.repositories.baseUrl (a GitHub organisation, an Azure DevOps project or the embedded Git host).',
        );
      }
      const baseUrl = repos.getString('baseUrl').replace(/\/$/, '');
      const location = repositoryLocation(baseUrl, input.name, deps.integrations);
      const remoteUrl = location.remoteUrl;
      const branch = input.defaultBranch ?? 'main';
      const rawTemplate = repos.getOptionalString('rawUrl');
      const raw = (p: string) =>
        rawTemplate
          ? rawTemplate
              .replace('{repo}', input.name)
              .replace('{ref}', branch)
              .replace('{path}', p)
          : fileUrl(remoteUrl, branch, p, deps.integrations);
      const dir = getRepoSourceDirectory(ctx.workspacePath, input.sourcePath);
      const auth: GitAuth | undefined = await gitAuthFor(
        remoteUrl,
        deps.integrations,
        settings.credentials,
        deps.auth,
      );

      const result = await ctx.checkpoint({
        key: `gitops-repo-publish-${input.name}`,
        fn: async () => {
          let exists = true;
          let empty = false;
          try {
            const info = await git.getRemoteInfo({ http, url: remoteUrl, ...gitAuthOptions(auth) });
            // No branch at all: created by a run that stopped before its push (GitHub and
            // Azure DevOps create the repository first). Nothing in it can be lost, so the
            // re-run pushes its first commit there instead of refusing the name.
            empty = Object.keys(info.refs?.heads ?? {}).length === 0;
          } catch (error: any) {
            if (error?.code === 'HttpError' && error.data?.statusCode === 404) exists = false;
            else throw describeGitError(error, remoteUrl);
          }
          if (empty) {
            ctx.logger.info(`${remoteUrl} exists and is empty; pushing its first commit there`);
            exists = false;
          } else if (!exists) {
            // GitHub and Azure DevOps need the repository before the push.
            exists = !(await createRepository(
              location,
              baseUrl,
              input.name,
              input.description,
              deps.integrations,
            ));
          }
          if (exists) {
            const existing = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'repo-'));
            try {
              await git.clone({
                fs, http, dir: existing, url: remoteUrl, ref: branch, singleBranch: true, depth: 1,
                ...gitAuthOptions(auth),
              });
              if (!(await sameTree(dir, existing))) {
                throw new ConflictError(
                  `The repository ${remoteUrl} already exists with other content. Choose another name; nothing was pushed.`,
                );
              }
              const sha = await git.resolveRef({ fs, dir: existing, ref: 'HEAD' });
              return { created: false, sha };
            } catch (error: any) {
              if (error instanceof ConflictError) throw error;
              throw describeGitError(error, remoteUrl);
            } finally {
              await fs.promises.rm(existing, { recursive: true, force: true });
            }
          }
          const author = authorOf(ctx.user);
          // A run that died in its push left its commit in the workspace; start from none again,
          // or the repository's first commit would have that one as its parent.
          await fs.promises.rm(path.join(dir, '.git'), { recursive: true, force: true });
          const { commitHash } = await initRepoAndPush({
            dir,
            remoteUrl,
            defaultBranch: branch,
            auth: {
              username: auth?.username ?? 'git',
              password: auth?.password ?? '',
            },
            logger: ctx.logger,
            commitMessage: `Create ${input.name} from ${ctx.templateInfo?.entityRef ?? 'a golden path'}\n\nTask: ${ctx.task.id}\nRequested-by: ${ctx.user?.ref ?? 'unknown'}`,
            gitAuthorInfo: author,
          });
          // The remote has it now; the scaffolder saves the workspace after every step for
          // task recovery, and the local history would only make each save bigger.
          await fs.promises.rm(path.join(dir, '.git'), { recursive: true, force: true });
          return { created: true, sha: commitHash };
        },
      });
      ctx.logger.info(
        result.created
          ? `Created ${remoteUrl} at ${result.sha}`
          : `${remoteUrl} already has exactly this content (${result.sha}); nothing pushed`,
      );
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('repoContentsUrl', raw(''));
      ctx.output('catalogInfoUrl', raw('catalog-info.yaml'));
      ctx.output('commitSha', result.sha);
      ctx.output('created', result.created);
    },
  });
}

import { AuditorService, AuthService } from '@backstage/backend-plugin-api';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { AUDIT_EVENTS } from '@internal/plugin-access-common';
import { gitAuthFor } from '@internal/plugin-platform-node';
import { audited } from '../access/audit';
import { GitOpsSettings } from '../config';
import { commitAndPush, CommitOptions, remoteBranchExists } from '../git/GitOpsRepository';
import { openPullRequest } from '../git/pullRequests';
import { authorOf, PORTAL_COMMITTER } from './plan';

/** What every audit event of a golden-path step says about who and what. */
export function auditMeta(
  ctx: { user?: { ref?: string }; task: { id: string }; templateInfo?: { entityRef?: string } },
  entityRef: string,
) {
  return {
    actor: ctx.user?.ref ?? 'unknown',
    entityRef,
    taskId: ctx.task.id,
    template: ctx.templateInfo?.entityRef,
  };
}

export type CommitDeps = {
  integrations: ScmIntegrationRegistry;
  auditor?: AuditorService;
  /** Signs the pushes to the embedded Git host. */
  auth?: AuthService;
};

export type TaskContext = Pick<
  ActionContext<any, any>,
  'checkpoint' | 'logger' | 'signal' | 'user' | 'task' | 'templateInfo'
>;

type Change = Pick<CommitOptions, 'change' | 'message'> & {
  entity: string;
  /** More audit fields, e.g. the environment. */
  audit?: Record<string, unknown>;
};

/** One audited commit to the GitOps branch, authored by the task's user, made once per checkpoint key. */
export async function commitAsUser(
  deps: CommitDeps,
  ctx: TaskContext,
  settings: GitOpsSettings,
  opts: Change & { key: string },
): Promise<{ changed: boolean; sha: string; paths: string[] }> {
  const auth = await gitAuthFor(settings.repoUrl, deps.integrations, settings.credentials, deps.auth);
  return ctx.checkpoint({
    key: opts.key,
    fn: async () => {
      const r = await audited(
        deps.auditor,
        AUDIT_EVENTS.gitopsCommit,
        { ...auditMeta(ctx, opts.entity), repoUrl: settings.repoUrl, ...opts.audit },
        () =>
          commitAndPush({
            repoUrl: settings.repoUrl,
            branch: settings.branch,
            auth,
            author: authorOf(ctx.user),
            committer: PORTAL_COMMITTER,
            message: opts.message,
            change: opts.change,
            maxAttempts: settings.maxPushAttempts,
            logger: ctx.logger,
            signal: ctx.signal,
          }),
        c => ({ commitSha: c.sha, changed: c.changed }),
      );
      return { changed: r.changed, sha: r.sha, paths: r.paths };
    },
  });
}

/**
 * The change on the branch `head`, pushed once as the task's user, and its pull request, opened
 * or found again: name `head` after the change, so a re-run finds both. `changed: false` when
 * the base branch already has it, and then no pull request is opened.
 */
export async function proposeAsUser(
  deps: CommitDeps,
  ctx: TaskContext,
  settings: GitOpsSettings,
  opts: Change & { head: string; title: string },
): Promise<{ changed: boolean; sha: string; url: string; created: boolean }> {
  const auth = await gitAuthFor(settings.repoUrl, deps.integrations, settings.credentials, deps.auth);
  let sha = '';
  if (!(await remoteBranchExists(settings.repoUrl, opts.head, auth))) {
    const pushed = await commitAndPush({
      repoUrl: settings.repoUrl,
      branch: settings.branch,
      pushBranch: opts.head,
      auth,
      author: authorOf(ctx.user),
      committer: PORTAL_COMMITTER,
      message: opts.message,
      change: opts.change,
      maxAttempts: 1,
      logger: ctx.logger,
      signal: ctx.signal,
    });
    if (!pushed.changed) return { changed: false, sha: pushed.sha, url: '', created: false };
    sha = pushed.sha;
  }
  const opened = await audited(
    deps.auditor,
    AUDIT_EVENTS.gitopsCommit,
    { ...auditMeta(ctx, opts.entity), repoUrl: settings.repoUrl, ...opts.audit, pullRequestBranch: opts.head },
    () =>
      openPullRequest({
        repoUrl: settings.repoUrl,
        integrations: deps.integrations,
        head: opts.head,
        base: settings.branch,
        title: opts.title,
        body: opts.message,
      }),
    o => ({ pullRequestUrl: o.url, created: o.created }),
  );
  return { changed: true, sha, url: opened.url, created: opened.created };
}

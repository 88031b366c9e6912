import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  describeZodError,
  serializeFile,
  serviceRequestSchema,
} from '@internal/plugin-gitops-common';
import { PreviewFile, ServicePreview } from '@internal/plugin-guardrails-common';
import { evaluateManifests, refusalOf } from '@internal/plugin-guardrails-node';
import { gitAuthFor } from '@internal/plugin-platform-node';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { commitAndPush } from '../git/GitOpsRepository';
import { authorOf, planServiceChange, PORTAL_COMMITTER, renderValidated } from '../actions/plan';
import { checkRequest, Deps } from '../actions/service';

/**
 * What gitops:service:check would decide for a form, for the review: the same checks of names,
 * owner and access with the user's credentials, the files against the GitOps repository's
 * head, and every guardrail's result. It pushes nothing and writes nowhere.
 */
export async function createPreviewRouter(
  deps: Deps & { httpAuth: HttpAuthService; logger: LoggerService },
): Promise<express.Router> {
  const router = Router();
  // Parsed on this route only: the scaffolder's own routes share this router's path.
  router.post('/gitops/v1/service-preview', express.json({ limit: '100kb' }), async (req, res) => {
    const credentials = await deps.httpAuth.credentials(req, { allow: ['user'] });
    const parsed = serviceRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new InputError(`The form is not complete yet: ${describeZodError(parsed.error)}`);
    }
    const request = parsed.data;
    const entityRef = `component:default/${request.name}`;
    const ctx = {
      user: { ref: credentials.principal.userEntityRef },
      logger: deps.logger,
      task: { id: 'review' },
      getInitiatorCredentials: async () => credentials,
    };
    const settings = await checkRequest(deps, ctx, request, entityRef);
    const files = renderValidated(request, settings.platform, deps.validator);
    const results = evaluateManifests(files, settings.platform.argocdNamespace);
    // The tree as it is now, read as the check step reads it: a service another team owns is
    // refused here as it would be there.
    const existing = new Map<string, string | undefined>();
    await commitAndPush({
      repoUrl: settings.repoUrl,
      branch: settings.branch,
      auth: await gitAuthFor(settings.repoUrl, deps.integrations, settings.credentials, deps.auth),
      author: authorOf(ctx.user),
      committer: PORTAL_COMMITTER,
      message: 'review',
      push: false,
      logger: deps.logger,
      change: async (read, _filesUnder, peek) => {
        for (const f of files) existing.set(f.path, await peek(f.path));
        return planServiceChange(request, files, read);
      },
    });
    const previewFiles: PreviewFile[] = files.map(f => {
      const before = existing.get(f.path);
      // A createOnly file that exists stays as the platform team left it.
      const content = f.createOnly && before !== undefined ? before : serializeFile(f);
      let change: PreviewFile['change'] = 'modified';
      if (before === undefined) change = 'added';
      else if (before === content) change = 'unchanged';
      return { path: f.path, content, change };
    });
    const body: ServicePreview = {
      service: request.name,
      files: previewFiles,
      results,
      ...(refusalOf(results) ? { refusal: refusalOf(results) } : {}),
    };
    res.json(body);
  });

  return router;
}

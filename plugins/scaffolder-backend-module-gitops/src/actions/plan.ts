import { ConflictError, InputError } from '@backstage/errors';
import {
  entityName,
  gitopsPaths,
  GitOpsFile,
  OWNER_ANNOTATION,
  PlatformConfig,
  renderService,
  serializeFile,
  ServiceRequest,
  ExemptionRequest,
} from '@internal/plugin-gitops-common';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { parse } from 'yaml';
import { FileChanges, GitIdentity, TreeReader } from '../git/GitOpsRepository';
import { ManifestValidator } from '../validation/ManifestValidator';
import { checkExemptions, checkGuardrails } from '@internal/plugin-guardrails-node';

/** Renders and checks the files; a schema failure is our bug, so nothing gets committed. */
export function renderChecked(
  req: ServiceRequest,
  platform: PlatformConfig,
  validator: ManifestValidator,
): GitOpsFile[] {
  const files = renderValidated(req, platform, validator);
  checkGuardrails(files, platform.argocdNamespace);
  return files;
}

/**
 * The files, rendered and matched with their schemas, the exemptions allowed; the guardrails
 * are left to the caller (renderChecked refuses, the review's preview shows).
 */
export function renderValidated(
  req: ServiceRequest,
  platform: PlatformConfig,
  validator: ManifestValidator,
): GitOpsFile[] {
  let files: GitOpsFile[];
  try {
    files = renderService(req, platform);
  } catch (e: any) {
    throw new InputError(e.message);
  }
  const problems = validator.validateFiles(files);
  if (problems.length > 0) {
    throw new Error(
      `The rendered manifests do not match their schemas, so nothing was committed:\n${problems.join('\n')}`,
    );
  }
  checkExemptions(req.exemptions);
  return files;
}

/** The owner recorded for a service in the GitOps repository, if it exists there. */
export async function existingOwner(
  service: string,
  read: TreeReader,
): Promise<string | undefined> {
  const text = await read(gitopsPaths.baseFile(service, 'kustomization.yaml'));
  if (text === undefined) return undefined;
  const kustomization = parse(text) ?? {};
  return kustomization.commonAnnotations?.[OWNER_ANNOTATION] ?? 'an unknown owner';
}

async function assertOwnership(
  req: Pick<ServiceRequest, 'name' | 'owner'>,
  read: TreeReader,
) {
  const owner = await existingOwner(req.name, read);
  if (owner && owner !== req.owner) {
    throw new ConflictError(
      `A service named "${req.name}" already exists in the GitOps repository, owned by ${owner}. Choose another name, or ask ${entityName(owner)} to hand it over.`,
    );
  }
}

/** The change to the GitOps repository for a service, computed against its current tree. */
export async function planServiceChange(
  req: ServiceRequest,
  files: GitOpsFile[],
  read: TreeReader,
): Promise<FileChanges> {
  await assertOwnership(req, read);
  const changes: FileChanges = new Map();
  for (const file of files) {
    if (file.createOnly && (await read(file.path)) !== undefined) continue;
    changes.set(file.path, serializeFile(file));
  }
  return changes;
}

/** The user who started the task, as a Git author. */
export function authorOf(user?: {
  entity?: { spec?: { profile?: { displayName?: string; email?: string } } };
  ref?: string;
}): GitIdentity {
  const ref = user?.ref ?? 'user:default/unknown';
  const name = entityName(ref);
  return {
    name: user?.entity?.spec?.profile?.displayName ?? name,
    email: user?.entity?.spec?.profile?.email ?? `${name}@users.noreply.idp-portal.local`,
  };
}

export const PORTAL_COMMITTER: GitIdentity = {
  name: 'IDP Portal',
  email: 'idp-portal@users.noreply.idp-portal.local',
};

export function commitMessage(opts: {
  subject: string;
  template?: string;
  taskId: string;
  entity: string;
  requestedBy?: string;
  exemptions?: ExemptionRequest[];
  /** More `Key: value` trailers, e.g. what a promotion moved and from where. */
  trailers?: Array<[string, string]>;
}): string {
  return [
    opts.subject,
    '',
    `Template: ${opts.template ?? 'none'}`,
    `Task: ${opts.taskId}`,
    `Entity: ${opts.entity}`,
    `Requested-by: ${opts.requestedBy ?? 'unknown'}`,
    // One line per exemption, so `git log --grep Guardrail-Exemption` finds every one.
    ...(opts.exemptions ?? []).map(
      e => `Guardrail-Exemption: ${e.policy}: ${e.justification.trim().replace(/\s+/g, ' ')}`,
    ),
    ...(opts.trailers ?? []).map(([key, value]) => `${key}: ${value.trim().replace(/\s+/g, ' ')}`),
  ].join('\n');
}

/** A URL the catalog can read a file of the repository from, at a ref. */
export function fileUrl(
  repoUrl: string,
  ref: string,
  filePath: string,
  integrations?: ScmIntegrationRegistry,
): string {
  const url = new URL(repoUrl);
  const repoPath = url.pathname.replace(/\.git$/, '');
  const gitHost = repoPath.match(/^(.*\/api\/git-host)\/(.+)$/);
  if (gitHost) return `${url.origin}${gitHost[1]}/raw/${gitHost[2]}/${ref}/${filePath}`;
  if (
    integrations?.azure.byUrl(repoUrl) ||
    url.hostname === 'dev.azure.com' ||
    url.hostname.endsWith('visualstudio.com')
  ) {
    return `${url.origin}${repoPath}?path=/${filePath}&version=GB${ref}`;
  }
  return `${url.origin}${repoPath}/blob/${ref}/${filePath}`;
}

/** A link to the commit: the host's web page where it has one, else a raw file at that commit. */
export function commitLink(repoUrl: string, sha: string, samplePath: string): string {
  const url = new URL(repoUrl);
  const repoPath = url.pathname.replace(/\.git$/, '');
  if (url.hostname === 'github.com' || url.hostname.endsWith('.ghe.com')) {
    return `${url.origin}${repoPath}/commit/${sha}`;
  }
  if (url.hostname === 'dev.azure.com' || url.hostname.endsWith('visualstudio.com')) {
    return `${url.origin}${repoPath}/commit/${sha}`;
  }
  const gitHost = repoPath.match(/^(.*\/api\/git-host)\/(.+)$/);
  if (gitHost) {
    return `${url.origin}${gitHost[1]}/raw/${gitHost[2]}/${sha}/${samplePath}`;
  }
  return `${url.origin}${repoPath}`;
}

import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  defaultPlatformConfig,
  NameContext,
  PlatformConfig,
  readNamingContext,
} from '@internal/plugin-gitops-common';
import { readEnvironments } from '@internal/plugin-platform-common';

export type GitOpsSettings = {
  repoUrl: string;
  branch: string;
  platform: PlatformConfig;
  credentials?: { username?: string; password?: string };
  maxPushAttempts: number;
  /** What names are checked against: the environments and the reserved names. */
  naming: NameContext;
  previews: PreviewSettings;
};

/** `gitops.previews`: where preview environments run, for how long, and how many per team. */
export type PreviewSettings = {
  environment: string;
  defaultTtlHours: number;
  maxTtlHours: number;
  maxPerTeam: number;
};

/** Reads `gitops:` on every call, so a changed config applies to the next task. */
export function readGitOpsSettings(config: Config): GitOpsSettings {
  const gitops = config.getOptionalConfig('gitops');
  if (!gitops) {
    throw new InputError(
      'No GitOps repository is configured. Set gitops.repoUrl in app-config (or APP_CONFIG_gitops_repoUrl).',
    );
  }
  const repoUrl = gitops.getString('repoUrl');
  const branch = gitops.getOptionalString('branch') ?? 'main';
  const environments = readEnvironments(config);
  const crossplaneApiVersion =
    gitops.getOptionalString('crossplane.apiVersion') ?? 'v2';
  if (crossplaneApiVersion !== 'v1' && crossplaneApiVersion !== 'v2') {
    throw new InputError(
      `gitops.crossplane.apiVersion must be v1 or v2, not "${crossplaneApiVersion}"`,
    );
  }
  const platform = defaultPlatformConfig({
    gitopsRepoUrl: gitops.getOptionalString('argocdRepoUrl') ?? repoUrl,
    targetRevision: branch,
    environments,
    crossplaneApiVersion,
    ...(gitops.getOptionalString('acrLoginServer')
      ? { acrLoginServer: gitops.getString('acrLoginServer') }
      : {}),
    ...(gitops.getOptionalString('argocdNamespace')
      ? { argocdNamespace: gitops.getString('argocdNamespace') }
      : {}),
    ...(gitops.getOptionalString('ingress.className')
      ? { ingressClassName: gitops.getString('ingress.className') }
      : {}),
    ...(gitops.getOptionalString('ingress.controllerNamespace')
      ? { ingressNamespace: gitops.getString('ingress.controllerNamespace') }
      : {}),
  });
  const credentials = gitops.getOptionalConfig('credentials');
  return {
    repoUrl,
    branch,
    platform,
    credentials: credentials && {
      username: credentials.getOptionalString('username'),
      password: credentials.getOptionalString('password'),
    },
    maxPushAttempts: gitops.getOptionalNumber('maxPushAttempts') ?? 10,
    naming: readNamingContext(config),
    previews: {
      environment: gitops.getOptionalString('previews.environment') ?? environments[0].name,
      defaultTtlHours: gitops.getOptionalNumber('previews.defaultTtlHours') ?? 24,
      maxTtlHours: gitops.getOptionalNumber('previews.maxTtlHours') ?? 72,
      maxPerTeam: gitops.getOptionalNumber('previews.maxPerTeam') ?? 3,
    },
  };
}

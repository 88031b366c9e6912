import { Config } from '@backstage/config';
import { defaultPlatformConfig } from '@internal/plugin-gitops-common';

export type ScanSettings = {
  repoUrl: string;
  branch: string;
  argocdNamespace: string;
  credentials?: { username?: string; password?: string };
};

/**
 * The GitOps repository the golden paths commit to (`gitops:`), as the scan reads it; undefined
 * when none is configured, as the golden paths then refuse to run too.
 */
export function readScanSettings(config: Config): ScanSettings | undefined {
  const gitops = config.getOptionalConfig('gitops');
  const repoUrl = gitops?.getOptionalString('repoUrl');
  if (!gitops || !repoUrl) return undefined;
  const credentials = gitops.getOptionalConfig('credentials');
  return {
    repoUrl,
    branch: gitops.getOptionalString('branch') ?? 'main',
    argocdNamespace: defaultPlatformConfig({
      gitopsRepoUrl: repoUrl,
      ...(gitops.getOptionalString('argocdNamespace')
        ? { argocdNamespace: gitops.getString('argocdNamespace') }
        : {}),
    }).argocdNamespace,
    credentials: credentials && {
      username: credentials.getOptionalString('username'),
      password: credentials.getOptionalString('password'),
    },
  };
}

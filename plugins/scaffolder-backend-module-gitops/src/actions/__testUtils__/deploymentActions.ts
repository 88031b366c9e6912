import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { gitHostPlugin } from '@internal/plugin-git-host-backend';
import { testAccessSettings, testOrg } from '@internal/test-fakes/access';
import { cloneRepo, commitFiles, startGitServer } from '@internal/test-fakes/git';
import path from 'path';
import { parse, stringify } from 'yaml';
import { accessChecks } from '../../access/accessChecks';
import { ManifestValidator } from '../../validation/ManifestValidator';
import { createPromoteAction, createRollbackAction } from '../deploy';
import { createPreviewCreateAction, createPreviewDeleteAction, createPreviewExtendAction } from '../preview';
import { registerDeploymentActions } from '../registry';
import { createServicePublishAction } from '../service';

const ordersApi = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', annotations: { 'backstage.io/kubernetes-id': 'orders-api' } },
  spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
};

/** Promote, roll back and the deployments view through the actions registry, as the CLI and MCP call them. */
export async function deploymentActionsFixture() {
  const git = await startGitServer(gitHostPlugin);
  const config = new ConfigReader({ gitops: { repoUrl: git.gitopsUrl } });
  const catalog = catalogServiceMock({ entities: [...testOrg, ordersApi] });
  const deps = {
    config,
    integrations: ScmIntegrations.fromConfig(config),
    validator: ManifestValidator.fromDirectory(path.resolve(__dirname, '../../../schemas')),
    ...accessChecks({ catalog, auth: mockServices.auth(), settings: testAccessSettings() }),
    auth: mockServices.auth(),
    sourceHealth: async () => ({ ready: true, reason: 'dev runs it, Synced and Healthy' }),
  };
  await createServicePublishAction(deps).handler(
    createMockActionContext({
      input: { name: 'orders-api', owner: 'group:default/payments-team' } as any,
      user: { ref: 'user:default/priya.raman' },
    }),
  );
  const repo = await cloneRepo(git.gitopsUrl);
  const k = parse(await repo.read('apps/orders-api/overlays/dev/kustomization.yaml'));
  await repo.cleanup();
  k.images[0].newTag = '1.1.0';
  await commitFiles(git.gitopsUrl, { 'apps/orders-api/overlays/dev/kustomization.yaml': stringify(k) }, 'CI');
  const register = (registry: Parameters<typeof registerDeploymentActions>[0]) =>
    registerDeploymentActions(registry, {
      catalog,
      auth: mockServices.auth(),
      promote: createPromoteAction(deps),
      rollback: createRollbackAction(deps),
      previews: {
        create: createPreviewCreateAction(deps),
        extend: createPreviewExtendAction(deps),
        delete: createPreviewDeleteAction(deps),
      },
      deployments: {
        ...deps,
        discovery: { getBaseUrl: async () => 'http://127.0.0.1:1/api/health', getExternalBaseUrl: async () => '' },
      },
    });
  return { git, register };
}


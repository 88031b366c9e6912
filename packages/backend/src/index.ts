import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

// Checks required configuration before anything connects to a database.
backend.add(import('@internal/plugin-preflight-node'));
// The cache: Backstage's, or signed in to Azure Cache for Redis with Entra ID
// (backend.cache.connection.type azure).
backend.add(import('@internal/plugin-cache-node'));

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Microsoft Entra ID sign-in (when auth.providers.microsoft is set) and team
// membership through parent groups in every token.
backend.add(import('@internal/plugin-auth-backend-module-access'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@backstage/plugin-catalog-backend-module-unprocessed'));
// Teams and people from Entra ID; reads nothing unless catalog.providers.microsoftGraphOrg is set.
backend.add(import('@backstage/plugin-catalog-backend-module-msgraph'));
// A disabled Entra account never becomes a catalog user.
backend.add(import('@internal/plugin-catalog-backend-module-entra-org'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-azure'));
backend.add(import('@internal/plugin-scaffolder-backend-module-gitops'));
// A task resumed on another replica after a crash gets back its workspace, saved after each step.
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-workspace-database'),
);

// Embedded Git host for local use; off unless gitHost.enabled.
backend.add(import('@internal/plugin-git-host-backend'));

backend.add(import('@backstage/plugin-permission-backend'));
// Least privilege by ownership (plugins/permission-backend-module-access).
backend.add(import('@internal/plugin-permission-backend-module-access'));

backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

backend.add(import('@backstage/plugin-techdocs-backend'));
backend.add(import('@backstage/plugin-kubernetes-backend'));
// Upstream waits for every cluster with no limit: one hanging cluster would stall the tab.
backend.add(
  import('@internal/plugin-kubernetes-backend-module-cluster-timeout'),
);
backend.add(import('@internal/plugin-health-backend'));
backend.add(import('@internal/plugin-azure-monitor-backend'));
// What the GitOps repository holds, judged by platform/policies on a schedule.
backend.add(import('@internal/plugin-guardrails-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));
// Events between replicas (PostgreSQL), so a signal reaches the clients of every replica.
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
// The actions registry's actions (promote, rollback, deployments) for MCP clients, as the calling user.
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();

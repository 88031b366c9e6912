import { defineConfig } from '@playwright/test';
import os from 'os';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/support/chromium';
import path from 'path';
import { selfSignedCertificate } from '@internal/test-fakes';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  PROD_SUB,
  SHARED_SUB,
  TENANT_ID,
} from '@internal/test-fakes/azure';

// Fake AKS clusters that e2e/health.spec.ts serves on these ports while it runs.
export const FAKE_CLUSTERS = [
  { name: 'aks-dev', port: 7091 },
  { name: 'aks-staging', port: 7092 },
  { name: 'aks-prod', port: 7093 },
];
export const FAKE_CLUSTER_TOKEN = 'e2e-service-account-token';

// A fake Azure (Entra ID token endpoint, ARM, Monitor) that e2e/health.spec.ts serves over
// HTTPS, since MSAL and the Azure SDK refuse plain HTTP; its certificate is the portal's CA.
export const FAKE_AZURE_PORT = 7095;
if (!process.env.E2E_AZURE_CERT) {
  const { key, cert } = selfSignedCertificate();
  process.env.E2E_AZURE_KEY = key;
  process.env.E2E_AZURE_CERT = cert;
}

// scripts/test runs the golden-path and health specs a second time on PostgreSQL, with fresh
// databases named after this prefix (Backstage makes one per plugin).
const postgres = process.env.E2E_POSTGRES_PREFIX
  ? {
      APP_CONFIG_backend_database: JSON.stringify({
        client: 'pg',
        connection: { host: '127.0.0.1', port: 5432, user: process.env.E2E_POSTGRES_USER ?? 'postgres' },
        prefix: process.env.E2E_POSTGRES_PREFIX,
      }),
      // With Redis, the cache is shared: e2e/replicas.spec.ts runs a second replica against both.
      ...(process.env.E2E_REDIS_URL
        ? { APP_CONFIG_backend_cache: JSON.stringify({ store: 'redis', connection: process.env.E2E_REDIS_URL }) }
        : {}),
    }
  : {};

// A fresh embedded Git host for every run; workers inherit it through the environment.
process.env.E2E_GIT_ROOT ??= path.join(os.tmpdir(), `idp-e2e-git-${process.pid}`);


export default defineConfig({
  testDir: 'e2e',
  // Two replicas need a shared database: those specs run in the PostgreSQL pass of scripts/test.
  testIgnore: process.env.E2E_POSTGRES_PREFIX ? [] : ['**/replicas.spec.ts', '**/crash.spec.ts'],
  timeout: 90_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  // The backend serves the built app (packages/app/dist) on one port, as in production.
  webServer: {
    command: 'yarn workspace backend start',
    url: 'http://localhost:7007/.backstage/health/v1/readiness',
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
    // APP_CONFIG_ values are parsed as JSON, so whole config blocks can be set here.
    env: {
      ...postgres,
      APP_CONFIG_gitHost_root: process.env.E2E_GIT_ROOT!,
      APP_CONFIG_kubernetes_clusterLocatorMethods: JSON.stringify([
        {
          type: 'config',
          clusters: FAKE_CLUSTERS.map(c => ({
            name: c.name,
            url: `http://127.0.0.1:${c.port}`,
            authProvider: 'serviceAccount',
            serviceAccountToken: FAKE_CLUSTER_TOKEN,
            // Plain HTTP on 127.0.0.1; @kubernetes/client-node refuses it otherwise.
            skipTLSVerify: true,
            // The fakes have no metrics-server for the Kubernetes tab to ask.
            skipMetricsLookup: true,
          })),
        },
      ]),
      // The Kubernetes tab names aks-prod, which never answers, after 2 s instead of 10.
      APP_CONFIG_kubernetes_clusterTimeoutMs: '2000',
      // The backend's one Azure identity, for Azure Monitor and for the health plugin.
      APP_CONFIG_azure: JSON.stringify({
        caData: process.env.E2E_AZURE_CERT,
        credentials: {
          tenantId: TENANT_ID,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          authorityHost: `https://127.0.0.1:${FAKE_AZURE_PORT}`,
        },
      }),
      APP_CONFIG_azureMonitor: JSON.stringify({
        subscriptionIds: [PROD_SUB, SHARED_SUB],
        armEndpoint: `https://127.0.0.1:${FAKE_AZURE_PORT}`,
      }),
      // e2e/guardrails.spec.ts waits for a scan after its outside commit.
      APP_CONFIG_guardrails: JSON.stringify({
        scan: { schedule: { frequency: { seconds: 2 }, timeout: { seconds: 30 } } },
      }),
      APP_CONFIG_health: JSON.stringify({
        timeouts: { clusterMs: 2000 },
        cacheTtlMs: 1000,
        gitops: { commitUrlTemplate: 'https://github.com/contoso/gitops/commit/{revision}' },
        clusters: Object.fromEntries(
          FAKE_CLUSTERS.map(c => [c.name, { argocdUrl: `https://argocd.${c.name}.contoso.example` }]),
        ),
      }),
    },
  },
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:7007',
    headless: true,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      // Playwright cannot download browsers here.
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
  },
});

import { defineConfig } from '@playwright/test';
import os from 'os';
import path from 'path';

// A fresh embedded Git host for every run; workers inherit it through the environment.
process.env.E2E_GIT_ROOT ??= path.join(os.tmpdir(), `idp-e2e-git-${process.pid}`);

// Debian's Chromium (scripts/test installs it); Playwright cannot download browsers here.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'e2e',
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
    env: { APP_CONFIG_gitHost_root: process.env.E2E_GIT_ROOT },
  },
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:7007',
    headless: true,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
  },
});

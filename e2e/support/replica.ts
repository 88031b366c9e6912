import config from '../../playwright.config';
import { BackendProcess, startBackend, waitFor } from './backend';

/**
 * Another replica of the backend Playwright started: the same configuration, PostgreSQL
 * databases, Redis and Git host root, on `port`, with `extraEnv` on top. Resolves once it
 * is ready.
 */
export async function startReplica(
  port: number,
  extraEnv: Record<string, string> = {},
): Promise<BackendProcess> {
  const env = (config.webServer as { env: Record<string, string> }).env;
  const baseUrl = `http://localhost:${port}`;
  const replica = startBackend({
    configs: ['app-config.yaml'],
    env: {
      ...env,
      APP_CONFIG_backend_listen_port: String(port),
      APP_CONFIG_backend_baseUrl: baseUrl,
      ...extraEnv,
    },
  });
  await waitFor(
    `the replica on ${port}`,
    async () =>
      (
        await fetch(`${baseUrl}/.backstage/health/v1/readiness`)
      ).ok
        ? true
        : undefined,
    200_000,
  ).catch(error => {
    replica.stop();
    throw new Error(`${error.message}\n${replica.output().slice(-3000)}`);
  });
  return replica;
}

import { expect, test } from '@playwright/test';
import { guestToken, startBackend, waitFor } from './support/backend';

// These start their own backend processes; no browser is needed.

test('production config with missing values refuses to start and names them', async () => {
  const env: NodeJS.ProcessEnv = {};
  for (const name of [
    'POSTGRES_HOST',
    'POSTGRES_PORT',
    'POSTGRES_USER',
    'POSTGRES_PASSWORD',
    'AUTH_MICROSOFT_CLIENT_ID',
    'AUTH_MICROSOFT_CLIENT_SECRET',
    'AZURE_TENANT_ID',
  ]) {
    env[name] = '';
  }
  env.POSTGRES_HOST = 'db.contoso.example';
  const backend = startBackend({
    configs: ['app-config.yaml', 'app-config.production.yaml'],
    env,
  });
  try {
    await waitFor(
      'the preflight message',
      async () =>
        backend.output().includes('refusing to start') ? true : undefined,
      90_000,
    );
    const out = backend.output();
    expect(out).toContain('backend.database.connection.password (set POSTGRES_PASSWORD)');
    expect(out).toContain('auth.providers.microsoft.production.clientSecret (set AUTH_MICROSOFT_CLIENT_SECRET)');
    expect(out).toContain('auth.providers.microsoft.production.tenantId (set AZURE_TENANT_ID)');
    expect(out).not.toContain('backend.database.connection.host (set POSTGRES_HOST)');
    // Nothing got as far as opening a database connection.
    expect(out).not.toMatch(/Failed to connect to the database/);
  } finally {
    backend.stop();
  }
});

test('a malformed entity is reported as a catalog error, the rest is served', async () => {
  const baseUrl = 'http://localhost:7017';
  const backend = startBackend({
    configs: ['app-config.yaml', 'e2e/fixtures/app-config.malformed-entity.yaml'],
  });
  try {
    const token = await waitFor('the backend', () => guestToken(baseUrl), 120_000);
    const headers = { Authorization: `Bearer ${token}` };

    const good = await waitFor(
      'the well-formed entity',
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-name/component/default/well-formed-service`,
          { headers },
        );
        return res.ok ? res.json() : undefined;
      },
      60_000,
    );
    expect(good.spec.owner).toBe('group:default/platform-team');

    // The catalog keeps the entity that failed, with its error, for the
    // Unprocessed Entities page (catalog-backend-module-unprocessed). It never
    // became a final entity, so it is listed as pending with its errors.
    const failed = await waitFor(
      'the processing error',
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/unprocessed/pending`,
          { headers },
        );
        const body = await res.json();
        const withErrors = (body.entities ?? []).filter(
          (e: any) => e.errors?.length,
        );
        return withErrors.length ? withErrors : undefined;
      },
      60_000,
    );
    expect(failed).toHaveLength(1);
    expect(failed[0].unprocessed_entity.metadata.name).toBe('Not A Valid Name!');
    expect(JSON.stringify(failed[0].errors)).toMatch(
      /metadata\.name.*is not valid/,
    );
    expect(backend.child.exitCode).toBeNull();
  } finally {
    backend.stop();
  }
});

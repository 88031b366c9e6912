import { RootConfigService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { withTimeout } from './timeout';

export type DatabaseTarget = {
  host: string;
  port: string;
  user: string;
  entra: boolean;
};

/**
 * What a failed first connection to PostgreSQL means and what to check, from the error
 * pg or @azure/identity gave. The SQLSTATE codes are PostgreSQL's (Appendix A).
 */
export function explainDatabaseError(
  error: unknown,
  target: DatabaseTarget,
): string {
  const e = error as { code?: string; name?: string; message?: string };
  const at = `PostgreSQL at ${target.host}:${target.port}`;
  const detail = e?.message ?? String(error);
  const credentials = target.entra
    ? `the Entra principal named by POSTGRES_USER ("${target.user}") must be a PostgreSQL role of the server (its Entra administrator, or created with pgaadauth_create_principal) and the token must be for that principal (AZURE_CLIENT_ID)`
    : `check POSTGRES_USER ("${target.user}") and POSTGRES_PASSWORD (on AKS, the Secret Crossplane writes for the Database)`;
  switch (e?.code) {
    case '28P01':
      return `${at} refused the password for user "${target.user}" (28P01: ${detail}): ${credentials}.`;
    case '28000':
      return `${at} refused user "${target.user}" (28000: ${detail}): ${credentials}.`;
    case '3D000':
      return `${at} has no such database (3D000: ${detail}).`;
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `${at} cannot be reached (${e.code}: ${detail}): check POSTGRES_HOST and POSTGRES_PORT, and that the network policy lets the pod reach port ${target.port}.`;
    default:
  }
  if (isEntraTokenError(error) || /Azure access token/.test(detail)) {
    return `No Entra token for ${at} (${e.name}: ${detail}): check the workload identity (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE from the ServiceAccount's annotations and the pod label azure.workload.identity/use) and its federated credential.`;
  }
  if (/self[- ]signed|certificate|SSL|TLS/i.test(detail)) {
    return `${at} failed the TLS handshake (${detail}): check backend.database.connection.ssl.`;
  }
  return `${at} did not accept a connection: ${detail}.`;
}

/** @azure/identity's errors: no credential available, or Entra ID refused it. */
export function isEntraTokenError(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return (
    name === 'CredentialUnavailableError' ||
    name === 'AuthenticationError' ||
    name === 'AuthenticationRequiredError'
  );
}

/** Opens one connection the way every plugin will (password or Entra token) and runs SELECT 1. */
export async function checkDatabase(
  config: RootConfigService,
): Promise<string[]> {
  const database = config.getOptionalConfig('backend.database');
  if (database?.getOptionalString('client') !== 'pg') return [];
  const connection = database.getOptional('connection');
  const fields =
    connection && typeof connection === 'object'
      ? (connection as Record<string, unknown>)
      : {};
  const target: DatabaseTarget = {
    host: String(fields.host ?? '(from the connection string)'),
    port: String(fields.port ?? 5432),
    user: String(fields.user ?? ''),
    entra: fields.type === 'azure',
  };
  // The maintenance database, which every server has, so nothing is created here.
  const probeConfig = ConfigReader.fromConfigs([
    { context: 'config', data: config.get() },
    {
      context: 'preflight',
      data: {
        backend: {
          database: {
            plugin: {
              preflight: {
                ensureExists: false,
                connection: { database: 'postgres' },
              },
            },
          },
        },
      },
    },
  ]);
  const quiet = {
    error() {},
    warn() {},
    info() {},
    debug() {},
    child() {
      return quiet;
    },
  };
  const client = await DatabaseManager.fromConfig(probeConfig)
    .forPlugin('preflight', {
      logger: quiet,
      lifecycle: { addStartupHook() {}, addShutdownHook() {} },
    })
    .getClient();
  try {
    await withTimeout(`${target.host}:${target.port}`, client.raw('select 1'));
    return [];
  } catch (error) {
    return [explainDatabaseError(error, target)];
  } finally {
    await client.destroy().catch(() => {});
  }
}

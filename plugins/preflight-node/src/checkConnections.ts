import { RootConfigService } from '@backstage/backend-plugin-api';
import { checkCache } from './checkCache';
import { checkDatabase } from './checkDatabase';

/**
 * One line per configured service that does not accept a connection: the PostgreSQL
 * database (client pg) and the Redis cache (store redis). Others are not checked.
 */
export async function checkConnections(
  config: RootConfigService,
): Promise<string[]> {
  const [database, cache] = await Promise.all([
    checkDatabase(config).catch(error => [
      `The database configuration cannot be used: ${error}`,
    ]),
    checkCache(config).catch(error => [
      `The cache configuration cannot be used: ${error}`,
    ]),
  ]);
  return [...database, ...cache];
}

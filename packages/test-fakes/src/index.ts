/**
 * Fakes for tests, on 127.0.0.1, answering with payloads shaped like the real services'.
 * This entry point holds Entra ID, Microsoft Graph, the in-memory cache and the self-signed
 * certificates; the rest have entry points of their own, so that their names do not collide:
 * `@internal/test-fakes/kubernetes`, `@internal/test-fakes/azure`, `@internal/test-fakes/git`
 * and `@internal/test-fakes/access`.
 *
 * @packageDocumentation
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';

export { selfSignedCertificate } from './certificates';
export { MemoryCache } from './memoryCache';
export { startFakeEntra, type EntraUser } from './entra';
export { startPostgresFront, type PostgresSignIn } from './postgres';
export { acceptsConnections } from './services';
export { startHttpProxy } from './proxy';
export {
  graphHandler,
  startFakeGraph,
  type FakeGraph,
  type FakeGraphDirectory,
  type FakeGraphGroup,
  type FakeGraphRequest,
  type FakeGraphUser,
} from './graph';

/** For NODE_OPTIONS=--require: sends the hosts in E2E_HOST_MAP to the fakes. */
export const HOST_MAP_PRELOAD = resolvePackagePath('@internal/test-fakes', 'hostMap.cjs');

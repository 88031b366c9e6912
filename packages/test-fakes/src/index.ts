export { startFakeEntra, type EntraUser } from './entra';
export {
  graphHandler,
  startFakeGraph,
  type FakeGraph,
  type FakeGraphDirectory,
  type FakeGraphGroup,
  type FakeGraphRequest,
  type FakeGraphUser,
} from './graph';
import path from 'path';

/** For NODE_OPTIONS=--require: sends the hosts in E2E_HOST_MAP to the fakes. */
export const HOST_MAP_PRELOAD = path.resolve(__dirname, '../hostMap.cjs');

/**
 * An embedded Git host for the portal: Git smart HTTP, push-to-create
 * repositories and raw file reads, all under /api/git-host.
 *
 * @packageDocumentation
 */
export { gitHostPlugin as default } from './plugin';
export { gitHostPlugin } from './plugin';

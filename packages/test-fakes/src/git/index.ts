/**
 * A real Git smart-HTTP host on 127.0.0.1 (the embedded Git host plugin in a test backend),
 * clone and push helpers for it, and a fake GitHub / Azure DevOps (pull-request and repository
 * REST APIs, Git proxied to that host) for the golden-path actions' tests.
 *
 * @packageDocumentation
 */
export * from './gitServer';
export * from './fakeForge';

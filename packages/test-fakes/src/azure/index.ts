/**
 * A fake Azure on one HTTPS port of 127.0.0.1 (Entra ID client credentials, ARM resource lists,
 * Azure Monitor metrics and alerts) and the payments scenario the Azure Monitor backend and the
 * e2e tests share. Its certificate comes from `selfSignedCertificate` of `@internal/test-fakes`.
 *
 * @packageDocumentation
 */
export * from './fakeAzure';
export * from './scenario';

/**
 * A fake Azure on one HTTPS port of 127.0.0.1 (Entra ID client credentials, ARM resource lists,
 * Azure Monitor metrics and alerts) and the payments scenario the Azure Monitor backend and the
 * e2e tests share. Its certificate comes from `selfSignedCertificate` of `@internal/test-fakes`.
 *
 * @packageDocumentation
 */
export * from './fakeAzure';
export * from './scenario';

/** The Azure REST specs' Alerts_GetAll example: both alerts Sev3, one New, one Acknowledged. */
export { default as ALERTS_LIST_EXAMPLE } from './fixtures/Alerts_List.2021-04-01.json';
export * from './fakeWorkloadIdentity';

/**
 * Auditor event ids our plugins emit (coreServices.auditor), so a SIEM query
 * can name them. Each event carries the actor, the entity, the result and,
 * where there is one, the commit SHA.
 */
export const AUDIT_EVENTS = {
  goldenPathRun: 'golden-path-run',
  gitopsCommit: 'gitops-commit',
  permissionDenied: 'permission-denied',
  signIn: 'sign-in',
} as const;

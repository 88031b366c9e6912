import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

/**
 * The guardrails scan reads the GitOps repository the golden paths commit to (`gitops.repoUrl`,
 * `gitops.branch`, `gitops.credentials`, declared by the scaffolder module), so a commit made
 * outside the portal shows on the Guardrails page after the next scan.
 */
export interface Config {
  /** The Guardrails page and entity card (`@internal/plugin-guardrails-backend`). */
  guardrails?: {
    scan?: {
      /** How often to scan; a scan of an unchanged head costs one ref listing. Default: every 5 minutes. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
  };
}

export interface Config {
  /**
   * What the GitOpsName field reads to check names as the gitops actions do
   * (plugins/scaffolder-backend-module-gitops/config.d.ts describes these keys).
   */
  gitops?: {
    environments?: Array<{
      /** @visibility frontend */
      name: string;
    }>;
    /** @visibility frontend */
    reservedNames?: string[];
    /** @visibility frontend */
    argocdNamespace?: string;
    ingress?: {
      /** @visibility frontend */
      controllerNamespace?: string;
    };
  };
}

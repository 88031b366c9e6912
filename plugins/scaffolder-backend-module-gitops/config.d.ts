export interface Config {
  /** Where golden paths commit, and how the platform runs what they commit. */
  gitops?: {
    /** Clone URL of the GitOps repository (HTTP(S)); credentials come from `integrations`. */
    repoUrl: string;
    /** Branch ArgoCD watches. Default `main`. */
    branch?: string;
    /** The repository URL as ArgoCD sees it, when it differs from `repoUrl`. */
    argocdRepoUrl?: string;
    /** Azure Container Registry the images come from, e.g. `contoso.azurecr.io`. */
    acrLoginServer?: string;
    /** Namespace ArgoCD runs in. Default `argocd`. */
    argocdNamespace?: string;
    crossplane?: {
      /** `v2` writes namespaced composite resources; `v1` writes claims for Crossplane 1.x. Default `v2`. */
      apiVersion?: 'v1' | 'v2';
    };
    ingress?: {
      className?: string;
      controllerNamespace?: string;
    };
    environments?: Array<{
      name: string;
      /** ArgoCD destination cluster name. */
      cluster: string;
      workloadIdentityClientId?: string;
      /**
       * Commit this environment's overlay and ArgoCD Application through a pull request
       * (GitHub or Azure DevOps integration needed) instead of a direct push.
       */
      pullRequest?: boolean;
      syncPolicy?: 'auto' | 'auto-no-prune' | 'manual';
    }>;
    /** Credentials for a plain Git host that has no `integrations` entry (e.g. the embedded one). */
    credentials?: {
      username?: string;
      /** @visibility secret */
      password?: string;
    };
    /**
     * Where `gitops:repo:publish` creates new service repositories: a GitHub organisation
     * or user (https://github.com/contoso), an Azure DevOps project
     * (https://dev.azure.com/contoso/platform), both through `integrations`, or a plain Git
     * host that creates repositories on first push (the embedded git-host plugin,
     * http://localhost:7007/api/git-host/contoso).
     */
    repositories?: {
      baseUrl: string;
      /** Template for a file's raw URL; {repo}, {ref} and {path} are replaced. */
      rawUrl?: string;
    };
    /**
     * Names no service may have, on top of the built-in ones (system namespaces such as
     * default, kube-*, argocd, crossplane-system, gatekeeper-system, azure-*; see
     * DEFAULT_RESERVED_NAMES in @internal/plugin-gitops-common). An entry ending in `*` is a
     * prefix. The golden-path form and the actions both refuse them.
     * @visibility frontend
     */
    reservedNames?: string[];
    /**
     * Attempts when a push loses a race with another replica's push, with jittered backoff
     * (about 11 s in all at the default). Within one backend pushes to the GitOps repository
     * wait their turn and never race. Default 10.
     */
    maxPushAttempts?: number;
    /** Preview environments of a service (docs/day-2.md). */
    previews?: {
      /** The environment (and so the cluster) previews run in. Default: the first environment. */
      environment?: string;
      /** How long a preview lives unless asked otherwise. Default 24. */
      defaultTtlHours?: number;
      /** The longest a preview may be asked or extended to live. Default 72. */
      maxTtlHours?: number;
      /** How many previews one team may have at once. Default 3. */
      maxPerTeam?: number;
    };
  };
}

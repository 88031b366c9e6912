export interface Config {
  /**
   * The embedded Git host: real Git smart HTTP served by the backend at
   * /api/git-host, for machines without GitHub or Azure DevOps.
   */
  gitHost?: {
    /**
     * Serve repositories. Off unless set. Reads need no token (the catalog's
     * URL reader cannot send one); a push needs a Backstage token as its HTTP
     * Basic password, or the basicAuth credentials when those are set.
     * @default false
     */
    enabled?: boolean;

    /**
     * Directory holding the bare repositories. Relative paths resolve against
     * the backend's working directory.
     * @default .data/git
     */
    root?: string;

    /**
     * Repositories created at startup when missing, each with one commit on
     * main holding a README.md, e.g. `gitops` or `contoso/payments-api`.
     * Names are one or two lowercase DNS-1123 labels.
     */
    initialRepositories?: string[];

    /** When set, every route requires these HTTP Basic credentials. */
    basicAuth?: {
      username: string;
      /** @visibility secret */
      password: string;
    };
  };
}

export interface Config {
  app?: {
    /**
     * The sign-in buttons the portal shows, in order: `microsoft` where
     * auth.providers.microsoft is set up, `guest` only in the embedded default.
     * @visibility frontend
     */
    signInProviders?: Array<'microsoft' | 'guest'>;
  };
  permission?: {
    /**
     * Groups whose members (directly or through a child group) are platform
     * admins: they may act on every team's entities and tasks, dry-run
     * templates and use the Kubernetes proxy.
     * @example ['group:default/platform-team']
     */
    platformAdmins?: string[];

    /**
     * When set, only members of these groups (and platform admins) can read
     * the catalog. When absent, every signed-in user can.
     */
    catalogReaders?: string[];
  };
}

export interface Config {
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

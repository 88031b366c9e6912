export interface Config {
  backend?: {
    cache?: {
      /**
       * With store redis, Backstage's URL or object of node-redis options. In the object
       * form, `type: azure` signs in to Azure Cache for Redis (or Azure Managed Redis) with
       * Microsoft Entra ID instead of an access key (plugins/cache-node).
       */
      connection?:
        | string
        | {
            /** `azure`: Entra authentication as the pod's workload identity; unset: a password. */
            type?: string;
            /**
             * The Redis user of the Entra principal; by default its object id, read from the
             * token's `oid` claim, as Azure Cache for Redis names it.
             */
            user?: string;
            /** With type azure: the managed identity's client id (AZURE_CLIENT_ID). */
            tokenCredential?: {
              clientId?: string;
            };
          };
    };
  };
}

/**
 * ```yaml
 * azureMonitor:
 *   subscriptionIds: [00000000-0000-0000-0000-000000000000]
 * ```
 */
export interface Config {
  /**
   * Azure Monitor: resources, metrics and alerts of a component's Azure resources, read with
   * the backend's identity from `azure.credentials`.
   */
  azureMonitor?: {
    /**
     * Subscriptions searched for resources matching an `azure.com/tag-selector` annotation.
     * Resource ids and resource groups name their own subscription.
     */
    subscriptionIds?: string[];
    /** Azure Resource Manager endpoint; defaults to https://management.azure.com. Must be https. */
    armEndpoint?: string;
    /** Base of the links to alerts and resources; defaults to https://portal.azure.com. */
    portalUrl?: string;
    /** How long an answer from Azure is served from cache, in ms; defaults to 60000. */
    cacheTtlMs?: number;
  };
}

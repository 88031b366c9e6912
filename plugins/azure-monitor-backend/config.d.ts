/**
 * ```yaml
 * azureMonitor:
 *   subscriptionIds: [00000000-0000-0000-0000-000000000000]
 *   credentials:                # optional; without it DefaultAzureCredential is used
 *     tenantId: ${AZURE_TENANT_ID}
 *     clientId: ${AZURE_CLIENT_ID}
 *     clientSecret: ${AZURE_CLIENT_SECRET}
 * ```
 */
export interface Config {
  /** Azure Monitor card: metrics and alerts of a component's Azure resources (`@internal/plugin-azure-monitor-backend`). */
  azureMonitor?: {
    /**
     * Subscriptions searched for resources matching an `azure.com/tag-selector` annotation.
     * Resource ids and resource groups name their own subscription.
     */
    subscriptionIds?: string[];
    /**
     * A service principal to read ARM and Azure Monitor with. Needs the Monitoring Reader role
     * on the subscriptions. Without it the backend uses DefaultAzureCredential.
     */
    credentials?: {
      tenantId: string;
      clientId: string;
      /** @visibility secret */
      clientSecret: string;
      /** The Entra ID login host for sovereign clouds, e.g. https://login.microsoftonline.us. */
      authorityHost?: string;
    };
    /** Azure Resource Manager endpoint; defaults to https://management.azure.com. Must be https. */
    armEndpoint?: string;
    /** Base of the links to alerts and resources; defaults to https://portal.azure.com. */
    portalUrl?: string;
    /** How long an answer from Azure is served from cache, in ms; defaults to 60000. */
    cacheTtlMs?: number;
    /**
     * PEM CA certificate(s) trusted for ARM and the login host instead of the public CAs, for
     * private clouds behind a TLS-inspecting proxy.
     */
    caData?: string;
  };
}

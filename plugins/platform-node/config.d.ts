/**
 * ```yaml
 * azure:
 *   credentials:                # optional; without it DefaultAzureCredential is used
 *     tenantId: ${AZURE_TENANT_ID}
 *     clientId: ${AZURE_CLIENT_ID}
 *     clientSecret: ${AZURE_CLIENT_SECRET}
 * ```
 */
export interface Config {
  /**
   * The one Azure identity of the backend: Azure Monitor reads ARM with it, and the health
   * plugin gets AKS tokens with it for clusters with `authProvider: azure`.
   */
  azure?: {
    /**
     * A service principal. It needs Monitoring Reader on the subscriptions Azure Monitor reads,
     * and the AKS RBAC Reader role on clusters with `authProvider: azure`. Without it the
     * backend uses DefaultAzureCredential (workload identity, managed identity, environment
     * variables or the Azure CLI, whichever is available).
     */
    credentials?: {
      tenantId: string;
      clientId: string;
      /** @visibility secret */
      clientSecret: string;
      /** The Entra ID login host for sovereign clouds, e.g. https://login.microsoftonline.us. */
      authorityHost?: string;
    };
    /**
     * PEM CA certificate(s) trusted for Entra ID and Azure Resource Manager instead of the
     * public CAs, for private clouds behind a TLS-inspecting proxy.
     */
    caData?: string;
  };
}

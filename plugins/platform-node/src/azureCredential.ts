import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { Config } from '@backstage/config';

export type AzureServicePrincipal = {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The Entra ID login host; defaults to the public cloud's. */
  authorityHost?: string;
};

/** The `azure` block of app-config: the backend's one Azure identity. */
export type AzureSettings = {
  /** Without it the backend signs in with DefaultAzureCredential. */
  credentials?: AzureServicePrincipal;
  /** PEM CA certificates that replace the public ones for Entra ID and ARM. */
  caData?: string;
};

// Keys from before the identity was shared; a deployment still setting them would silently
// sign in as someone else.
const MOVED_KEYS: Record<string, string> = {
  'azureMonitor.credentials': 'azure.credentials',
  'azureMonitor.caData': 'azure.caData',
  'health.azure': 'azure.credentials',
};

export function readAzureSettings(config: Config): AzureSettings {
  for (const [old, now] of Object.entries(MOVED_KEYS)) {
    if (config.has(old)) {
      throw new Error(
        `${old} is no longer read: the backend has one Azure identity, set it in ${now}`,
      );
    }
  }
  const azure = config.getOptionalConfig('azure');
  const credentials = azure?.getOptionalConfig('credentials');
  return {
    credentials: credentials && {
      tenantId: credentials.getString('tenantId'),
      clientId: credentials.getString('clientId'),
      clientSecret: credentials.getString('clientSecret'),
      authorityHost: credentials.getOptionalString('authorityHost'),
    },
    caData: azure?.getOptionalString('caData'),
  };
}

/** The service principal of the settings, else whatever identity the backend runs as. */
export function createAzureCredential(settings: AzureSettings): TokenCredential {
  const tlsOptions = settings.caData ? { ca: settings.caData } : undefined;
  if (settings.credentials) {
    const { tenantId, clientId, clientSecret, authorityHost } = settings.credentials;
    return new ClientSecretCredential(tenantId, clientId, clientSecret, {
      // Instance discovery asks the public cloud about the login host; a host the operator
      // configured (sovereign cloud, Azure Stack) is trusted as it is.
      ...(authorityHost ? { authorityHost, disableInstanceDiscovery: true } : {}),
      tlsOptions,
    });
  }
  return new DefaultAzureCredential({ tlsOptions });
}

/** The backend's Azure identity, from the `azure` block of app-config. */
export function azureCredentialFromConfig(config: Config): TokenCredential {
  return createAzureCredential(readAzureSettings(config));
}

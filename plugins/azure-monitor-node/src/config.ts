import { RootConfigService } from '@backstage/backend-plugin-api';
import { readAzureSettings } from '@internal/plugin-platform-node';

export type AzureMonitorConfig = {
  /** False when app-config has no azureMonitor block: the portal is not set up for Azure. */
  enabled: boolean;
  subscriptionIds: string[];
  /** Azure Resource Manager, without a trailing slash. */
  armEndpoint: string;
  portalUrl: string;
  cacheTtlMs: number;
  /** PEM CA certificates that replace the public ones for ARM (`azure.caData`). */
  caData?: string;
};

const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
const DEFAULT_PORTAL_URL = 'https://portal.azure.com';
export const DEFAULT_CACHE_TTL_MS = 60_000;

export function readAzureMonitorConfig(
  config: RootConfigService,
): AzureMonitorConfig {
  const root = config.getOptionalConfig('azureMonitor');
  const cacheTtlMs =
    root?.getOptionalNumber('cacheTtlMs') ?? DEFAULT_CACHE_TTL_MS;
  if (!Number.isFinite(cacheTtlMs) || cacheTtlMs <= 0) {
    throw new Error(
      'azureMonitor.cacheTtlMs must be a positive number of milliseconds',
    );
  }
  const armEndpoint = trimSlash(
    root?.getOptionalString('armEndpoint') ?? DEFAULT_ARM_ENDPOINT,
  );
  if (!armEndpoint.startsWith('https://')) {
    // The Azure SDK refuses to send a bearer token over plain HTTP.
    throw new Error('azureMonitor.armEndpoint must be an https:// URL');
  }
  return {
    enabled: root !== undefined,
    subscriptionIds: root?.getOptionalStringArray('subscriptionIds') ?? [],
    armEndpoint,
    portalUrl: trimSlash(
      root?.getOptionalString('portalUrl') ?? DEFAULT_PORTAL_URL,
    ),
    cacheTtlMs,
    caData: readAzureSettings(config).caData,
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

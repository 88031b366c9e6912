import fs from 'node:fs/promises';
import { AccessToken, DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { AKS_SCOPE } from '@internal/plugin-platform-common';
import { ClusterConfig } from '../config';


/** Where Kubernetes mounts the pod's own service account token. */
const IN_CLUSTER_TOKEN_PATH =
  '/var/run/secrets/kubernetes.io/serviceaccount/token';

// Refresh early: a token that expires while a request is in flight is rejected with a 401.
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * No token can be had for a cluster. The message is shown to users as the failure of that
 * cluster, so it names the cluster and says what to do.
 */
export class ClusterTokenError extends Error {
  readonly name = 'ClusterTokenError';
  constructor(
    message: string,
    /** The user's own sign-in would provide the token. */
    readonly signIn?: 'aks',
  ) {
    super(message);
  }
}

export type TokenRequest = {
  /** The signed-in user's Entra token, for clusters with `authProvider: aks`. */
  userAksToken?: string;
};

export interface ClusterTokenProvider {
  /** A bearer token for the cluster; throws ClusterTokenError when there is none. */
  getToken(cluster: ClusterConfig, request: TokenRequest): Promise<string>;
}

export type DefaultClusterTokenProviderOptions = {
  /** Used for `authProvider: azure`; created on first use when not given. */
  azureCredential?: TokenCredential;
  /** Creates the backend's Azure identity on first use; DefaultAzureCredential by default. */
  createAzureCredential?: () => TokenCredential;
  /** Where a `serviceAccount` cluster without `serviceAccountToken` reads its token. */
  inClusterTokenPath?: string;
};

/** Bearer tokens per cluster, as Backstage's Kubernetes plugin gets them. */
export class DefaultClusterTokenProvider implements ClusterTokenProvider {
  private azureCredential?: TokenCredential;
  private readonly createAzureCredential: () => TokenCredential;
  private readonly inClusterTokenPath: string;
  private azureToken?: AccessToken;
  private azureTokenRequest?: Promise<AccessToken>;

  constructor(options: DefaultClusterTokenProviderOptions = {}) {
    this.azureCredential = options.azureCredential;
    this.createAzureCredential =
      options.createAzureCredential ?? (() => new DefaultAzureCredential());
    this.inClusterTokenPath =
      options.inClusterTokenPath ?? IN_CLUSTER_TOKEN_PATH;
  }

  async getToken(
    cluster: ClusterConfig,
    request: TokenRequest,
  ): Promise<string> {
    switch (cluster.authProvider) {
      case 'serviceAccount':
        return this.serviceAccountToken(cluster);
      case 'azure':
        return this.azureAksToken(cluster);
      case 'aks':
        if (!request.userAksToken) {
          throw new ClusterTokenError(
            `sign in with Microsoft to see cluster ${cluster.name}`,
            'aks',
          );
        }
        return request.userAksToken;
      default:
        throw new ClusterTokenError(
          `cluster ${cluster.name} uses authProvider ${cluster.authProvider}, which the health plugin does not support — use serviceAccount, azure or aks`,
        );
    }
  }

  private async serviceAccountToken(cluster: ClusterConfig): Promise<string> {
    if (cluster.serviceAccountToken) return cluster.serviceAccountToken;
    // Read on every use: the kubelet rotates the projected token.
    try {
      return (await fs.readFile(this.inClusterTokenPath, 'utf8')).trim();
    } catch {
      throw new ClusterTokenError(
        `cluster ${cluster.name} has no serviceAccountToken configured and the backend runs without a mounted service account token — set serviceAccountToken for it`,
      );
    }
  }

  private async azureAksToken(cluster: ClusterConfig): Promise<string> {
    const cached = this.azureToken;
    if (cached && Date.now() < refreshAt(cached)) return cached.token;
    if (!this.azureTokenRequest) {
      this.azureTokenRequest = this.fetchAzureToken().finally(() => {
        this.azureTokenRequest = undefined;
      });
    }
    try {
      this.azureToken = await this.azureTokenRequest;
      return this.azureToken.token;
    } catch (error) {
      // A token that is due for refresh but still valid beats no token while Entra ID is slow.
      if (cached && Date.now() < cached.expiresOnTimestamp) return cached.token;
      throw new ClusterTokenError(
        `no Azure token for cluster ${cluster.name}: ${errorMessage(
          error,
        )} — check the backend's Azure identity (workload identity, managed identity or azure.credentials)`,
      );
    }
  }

  private async fetchAzureToken(): Promise<AccessToken> {
    const credential = this.credential();
    const token = await credential.getToken(AKS_SCOPE);
    if (!token) throw new Error('the credential returned no token');
    return token;
  }

  private credential(): TokenCredential {
    this.azureCredential ??= this.createAzureCredential();
    return this.azureCredential;
  }
}

function refreshAt(token: AccessToken): number {
  const early = token.expiresOnTimestamp - REFRESH_MARGIN_MS;
  return Math.min(token.refreshAfterTimestamp ?? early, early);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ClusterConfig } from '../config';
import {
  ClusterTokenError,
  DefaultClusterTokenProvider,
} from './clusterTokens';

const base: ClusterConfig = {
  name: 'aks-dev',
  url: 'https://aks-dev.example.com',
  authProvider: 'serviceAccount',
  skipTLSVerify: false,
  environment: 'dev',
};

describe('DefaultClusterTokenProvider', () => {
  it('prefers the configured service account token', async () => {
    const tokens = new DefaultClusterTokenProvider({
      inClusterTokenPath: '/nonexistent',
    });
    await expect(
      tokens.getToken({ ...base, serviceAccountToken: 'configured' }, {}),
    ).resolves.toBe('configured');
  });

  it("reads the pod's own token when none is configured, on every use", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'health-token-'));
    const file = path.join(dir, 'token');
    try {
      await fs.writeFile(file, 'first\n');
      const tokens = new DefaultClusterTokenProvider({
        inClusterTokenPath: file,
      });
      await expect(tokens.getToken(base, {})).resolves.toBe('first');
      await fs.writeFile(file, 'rotated');
      await expect(tokens.getToken(base, {})).resolves.toBe('rotated');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('says what to configure when there is no token at all', async () => {
    const tokens = new DefaultClusterTokenProvider({
      inClusterTokenPath: '/nonexistent/token',
    });
    const failure = tokens.getToken(base, {});
    await expect(failure).rejects.toBeInstanceOf(ClusterTokenError);
    await expect(failure).rejects.toThrow(
      'cluster aks-dev has no serviceAccountToken configured',
    );
  });

  it('keeps an Azure token that is due for refresh when Entra ID fails', async () => {
    let calls = 0;
    const tokens = new DefaultClusterTokenProvider({
      azureCredential: {
        getToken: async () => {
          calls += 1;
          if (calls > 1) throw new Error('AADSTS50058');
          // Due for refresh (within 5 minutes of expiry) but still valid.
          return {
            token: 'still-valid',
            expiresOnTimestamp: Date.now() + 60_000,
          };
        },
      },
    });
    const cluster = { ...base, authProvider: 'azure' };
    await expect(tokens.getToken(cluster, {})).resolves.toBe('still-valid');
    await expect(tokens.getToken(cluster, {})).resolves.toBe('still-valid');
    expect(calls).toBe(2);
  });
});

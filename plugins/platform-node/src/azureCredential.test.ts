import { ConfigReader } from '@backstage/config';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { azureCredentialFromConfig, readAzureSettings } from './azureCredential';

const sp = { tenantId: 't', clientId: 'c', clientSecret: 's' };

describe('the backend Azure identity', () => {
  it('is the service principal of azure.credentials, with the CA of azure.caData', () => {
    const config = new ConfigReader({ azure: { credentials: sp, caData: 'PEM' } });
    expect(readAzureSettings(config)).toEqual({
      credentials: { ...sp, authorityHost: undefined },
      caData: 'PEM',
    });
    expect(azureCredentialFromConfig(config)).toBeInstanceOf(ClientSecretCredential);
  });

  it('is DefaultAzureCredential without azure.credentials', () => {
    expect(azureCredentialFromConfig(new ConfigReader({}))).toBeInstanceOf(DefaultAzureCredential);
  });

  it.each([
    ['azureMonitor.credentials', { azureMonitor: { credentials: sp } }, 'azure.credentials'],
    ['azureMonitor.caData', { azureMonitor: { caData: 'PEM' } }, 'azure.caData'],
    ['health.azure', { health: { azure: sp } }, 'azure.credentials'],
  ])('refuses the old %s, naming where it moved', (old, data, now) => {
    expect(() => readAzureSettings(new ConfigReader(data))).toThrow(
      `${old} is no longer read: the backend has one Azure identity, set it in ${now}`,
    );
  });
});

import { groupReasons, reasonText } from './reasons';
import { Reason } from './types';

const reason = (r: Partial<Reason>): Reason => ({
  state: 'Healthy',
  source: 'Kubernetes pods',
  message: 'All pods ready',
  ...r,
});

describe('groupReasons', () => {
  it('groups by environment in promotion order, then sources of no environment, worst first in each', () => {
    const groups = groupReasons(
      [
        reason({ environment: 'prod', state: 'Unknown', source: 'Kubernetes cluster aks-prod', message: 'did not answer' }),
        reason({ source: 'Azure Monitor alerts', state: 'Down', message: 'Sev0 firing' }),
        reason({ environment: 'staging', state: 'Healthy' }),
        reason({ environment: 'staging', state: 'Degraded', message: 'CrashLoopBackOff' }),
        reason({ environment: 'dev' }),
        reason({ environment: 'pr-42' }),
      ],
      ['dev', 'staging', 'prod'],
    );
    expect(groups.map(g => [g.title, g.state])).toEqual([
      ['dev', 'Healthy'],
      ['staging', 'Degraded'],
      ['prod', 'Unknown'],
      ['pr-42', 'Healthy'],
      ['Azure Monitor alerts', 'Down'],
    ]);
    expect(groups[1].reasons.map(r => r.message)).toEqual([
      'CrashLoopBackOff',
      'All pods ready',
    ]);
  });

  it('is empty for no reasons', () => {
    expect(groupReasons([])).toEqual([]);
  });
});

describe('reasonText', () => {
  it('drops a leading repeat of the source, with the environment in brackets', () => {
    expect(
      reasonText({
        source: 'Kubernetes cluster aks-prod',
        message:
          'Kubernetes cluster aks-prod (prod) did not answer within 5000 ms — check the network path',
      }),
    ).toBe('Did not answer within 5000 ms — check the network path');
    expect(
      reasonText({
        source: 'Kubernetes cluster aks-dev',
        message: 'Kubernetes cluster aks-dev: TLS verification failed (SELF_SIGNED_CERT_IN_CHAIN)',
      }),
    ).toBe('TLS verification failed (SELF_SIGNED_CERT_IN_CHAIN)');
  });

  it('leaves a message that does not start with its source as it is', () => {
    expect(
      reasonText({ source: 'Kubernetes pods', message: '1 of 3 pods ready' }),
    ).toBe('1 of 3 pods ready');
  });
});

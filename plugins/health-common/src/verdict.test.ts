import podCrashing from './__fixtures__/pod-crashing.json';
import k9sPo from './__fixtures__/k9s-po.json';
import k9sP1 from './__fixtures__/k9s-p1.json';
import { alertFromArm, AzureAlert } from '@internal/plugin-azure-monitor-common';
// Only the fakes' copy of Azure's example payload is used; no fake server is started.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { ALERTS_LIST_EXAMPLE } from '@internal/test-fakes/azure';
import { combineVerdicts, computeEnvironmentVerdict } from './verdict';
import { alertsVerdict } from './alerts';
import { summarizePods } from './pods';
import { Verdict } from './types';

const NOW = new Date('2025-01-01T12:00:00Z');

const realAlerts: AzureAlert[] = ALERTS_LIST_EXAMPLE.responses['200'].body.value.map(
  item => alertFromArm(item, 'https://portal.azure.com')!,
);

const verdict = (state: Verdict['state'], source = state): Verdict => ({
  state,
  reasons: [{ state, source, message: `${source} says ${state}` }],
});

const argoApp = (sync: string, health: string) => ({
  metadata: { name: 'payments-api-prod' },
  status: {
    sync: { status: sync, revision: 'abc' },
    health: { status: health },
  },
});

const database = (conditions: object[]) => ({
  kind: 'PostgreSQLDatabase',
  metadata: { name: 'orders-db' },
  spec: { connectionSecretName: 'orders-db-conn' },
  status: { conditions },
});
const readyDatabase = database([
  { type: 'Ready', status: 'True', reason: 'Available' },
  { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
]);

const timeout = {
  source: 'aks-prod',
  message: 'cluster aks-prod did not answer within 5 s',
};

describe('combineVerdicts', () => {
  it.each([
    [['Healthy', 'Progressing'], 'Progressing'],
    [['Progressing', 'Degraded', 'Healthy'], 'Degraded'],
    [['Degraded', 'Down', 'Progressing'], 'Down'],
    [['Healthy', 'Unknown'], 'Healthy'],
    [['Unknown', 'Progressing'], 'Progressing'],
    [['Unknown', 'Unknown'], 'Unknown'],
  ] as const)('combines %j into %s', (states, expected) => {
    expect(combineVerdicts(states.map(s => verdict(s))).state).toBe(expected);
  });

  it('lists reasons worst first', () => {
    const combined = combineVerdicts(
      ['Healthy', 'Unknown', 'Down', 'Progressing', 'Degraded'].map(s =>
        verdict(s as Verdict['state']),
      ),
    );
    expect(combined.reasons.map(r => r.state)).toEqual([
      'Down',
      'Degraded',
      'Progressing',
      'Unknown',
      'Healthy',
    ]);
    expect(combined.partial).toBeUndefined();
  });

  it('is Unknown, not Healthy, when only "no alerts firing" is known', () => {
    const environments = ['dev', 'staging', 'prod'].map(() =>
      computeEnvironmentVerdict({ pods: [], failures: [timeout] }),
    );
    const combined = combineVerdicts([...environments, alertsVerdict([])]);
    expect(combined.state).toBe('Unknown');
    // Firing alerts are evidence, though: they still count.
    const firing = alertsVerdict([{ ...realAlerts[0], name: 'High 5xx', severity: 'Sev1', state: 'New' }]);
    expect(combineVerdicts([...environments, firing]).state).toBe('Degraded');
    // And with the workload known, no alerts firing is fine.
    expect(combineVerdicts([verdict('Healthy'), alertsVerdict([])]).state).toBe('Healthy');
  });

  it('keeps Healthy but marks the verdict partial when a source failed', () => {
    const combined = combineVerdicts([verdict('Healthy')], [timeout]);
    expect(combined.state).toBe('Healthy');
    expect(combined.partial).toBe(true);
    expect(combined.failedSources).toEqual(['aks-prod']);
    expect(combined.reasons[0]).toEqual(
      expect.objectContaining({
        state: 'Unknown',
        source: 'aks-prod',
        message: 'cluster aks-prod did not answer within 5 s',
      }),
    );
  });

  it('names the source when the failure message does not', () => {
    const combined = combineVerdicts(
      [],
      [{ source: 'Azure Monitor', message: '403 Forbidden' }],
    );
    expect(combined.reasons[0].message).toBe('Azure Monitor: 403 Forbidden');
  });

  it('is Unknown when every source failed', () => {
    const combined = combineVerdicts(
      [],
      [timeout, { source: 'aks-dev', message: 'ECONNREFUSED' }],
    );
    expect(combined.state).toBe('Unknown');
    expect(combined.partial).toBe(true);
    expect(combined.failedSources).toEqual(['aks-prod', 'aks-dev']);
    expect(combined.reasons).toHaveLength(2);
  });

  it('is Unknown with a reason when given nothing', () => {
    const combined = combineVerdicts([]);
    expect(combined.state).toBe('Unknown');
    expect(combined.reasons[0].message).toBe(
      'No source reported anything about this component',
    );
  });

  it('keeps failed sources when partial verdicts are combined again', () => {
    const prod = combineVerdicts([verdict('Healthy')], [timeout]);
    const dev = combineVerdicts(
      [verdict('Degraded')],
      [{ source: 'aks-dev', message: 'x' }],
    );
    const all = combineVerdicts([prod, dev]);
    expect(all.state).toBe('Degraded');
    expect(all.failedSources).toEqual(['aks-prod', 'aks-dev']);
  });
});

describe('computeEnvironmentVerdict', () => {
  it('is Healthy when every source is healthy', () => {
    const result = computeEnvironmentVerdict({
      pods: [k9sPo, k9sP1],
      desiredReplicas: 2,
      argoApplications: [argoApp('Synced', 'Healthy')],
      crossplaneResources: [{ resource: readyDatabase, secretExists: true }],
      alerts: realAlerts,
      now: NOW,
    });
    expect(result.state).toBe('Healthy');
    expect(result.partial).toBeUndefined();
    expect(result.reasons.map(r => r.source)).toEqual([
      'Kubernetes pods',
      'ArgoCD Application payments-api-prod',
      'PostgreSQLDatabase orders-db',
      'Azure Monitor',
      'Azure Monitor',
    ]);
  });

  it('is Degraded when ArgoCD says Healthy and Synced but a pod crash-loops', () => {
    const result = computeEnvironmentVerdict({
      pods: [k9sPo, k9sP1, podCrashing],
      argoApplications: [argoApp('Synced', 'Healthy')],
      now: NOW,
    });
    expect(result.state).toBe('Degraded');
    expect(result.reasons[0]).toEqual(
      expect.objectContaining({
        state: 'Degraded',
        source: 'Kubernetes pods',
        message: '2 of 3 pods ready; 1 in CrashLoopBackOff; 161 restarts',
      }),
    );
    expect(result.reasons[1].state).toBe('Healthy');
  });

  it('reads a pod summary the caller already made as it reads the pods', () => {
    const pods = [k9sPo, k9sP1, podCrashing];
    expect(
      computeEnvironmentVerdict({
        podSummary: summarizePods(pods, NOW),
        pods: [],
        now: NOW,
      }),
    ).toEqual(computeEnvironmentVerdict({ pods, now: NOW }));
  });

  it('is Degraded when the database is Ready but its connection secret is missing', () => {
    const result = computeEnvironmentVerdict({
      pods: [k9sPo],
      argoApplications: [argoApp('Synced', 'Healthy')],
      crossplaneResources: [{ resource: readyDatabase, secretExists: false }],
      now: NOW,
    });
    expect(result.state).toBe('Degraded');
    expect(result.reasons[0].message).toContain(
      'connection secret orders-db-conn does not exist',
    );
  });

  it('is Healthy and partial when one cluster failed and the rest is healthy', () => {
    const result = computeEnvironmentVerdict({
      pods: [k9sPo],
      argoApplications: [argoApp('Synced', 'Healthy')],
      failures: [timeout],
      now: NOW,
    });
    expect(result.state).toBe('Healthy');
    expect(result.partial).toBe(true);
    expect(result.failedSources).toEqual(['aks-prod']);
    expect(result.reasons[0].message).toBe(
      'cluster aks-prod did not answer within 5 s',
    );
  });

  it('is Unknown when every source failed', () => {
    const result = computeEnvironmentVerdict({
      failures: [timeout, { source: 'ArgoCD', message: 'ArgoCD answered 403' }],
    });
    expect(result.state).toBe('Unknown');
    expect(result.failedSources).toEqual(['aks-prod', 'ArgoCD']);
  });

  it('is Down for a critical alert even when everything else is healthy', () => {
    const alert: AzureAlert = { ...realAlerts[0], severity: 'Sev0' };
    const result = computeEnvironmentVerdict({
      pods: [k9sPo],
      argoApplications: [argoApp('Synced', 'Healthy')],
      alerts: [alert],
      now: NOW,
    });
    expect(result.state).toBe('Down');
    expect(result.reasons[0].source).toBe('Azure Monitor');
  });

  it('is Progressing while ArgoCD rolls out and Azure creates the database', () => {
    const result = computeEnvironmentVerdict({
      argoApplications: [argoApp('Synced', 'Progressing')],
      crossplaneResources: [
        {
          resource: database([
            { type: 'Ready', status: 'False', reason: 'Creating' },
          ]),
        },
      ],
    });
    expect(result.state).toBe('Progressing');
  });

  it('never throws on malformed input and gives Unknown', () => {
    const result = computeEnvironmentVerdict({
      pods: [null, { status: 'weird' }],
      argoApplications: [null, { status: 'weird' }],
      crossplaneResources: [
        null as any,
        {
          resource: { status: { conditions: 'x' } },
          secretExists: 'no' as any,
        },
      ],
    });
    expect(result.state).toBe('Unknown');
    expect(result.reasons.length).toBeGreaterThanOrEqual(4);
    expect(result.reasons.every(r => r.state === 'Unknown')).toBe(true);
  });
});

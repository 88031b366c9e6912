import {
  ARGOCD_OUT_OF_SYNC_HINT,
  argoApplicationVerdict,
  argoSummary,
} from './argocd';

const REVISION = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';

/** An Application as the ArgoCD API returns it, with the status fields under test. */
function app(status: {
  sync?: string;
  health?: string;
  phase?: string;
  operationMessage?: string;
  conditions?: unknown;
}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'payments-api-prod', namespace: 'argocd' },
    status: {
      sync: { status: status.sync, revision: REVISION },
      health: { status: status.health },
      ...(status.phase
        ? {
            operationState: {
              phase: status.phase,
              message: status.operationMessage,
            },
          }
        : {}),
      ...(status.conditions ? { conditions: status.conditions } : {}),
    },
  };
}

describe('argoApplicationVerdict', () => {
  it('is Healthy when Healthy and Synced, naming the revision', () => {
    const verdict = argoApplicationVerdict(
      app({ sync: 'Synced', health: 'Healthy' }),
    );
    expect(verdict).toEqual({
      state: 'Healthy',
      reasons: [
        {
          state: 'Healthy',
          source: 'ArgoCD Application payments-api-prod',
          message: 'Healthy and Synced at 1a2b3c4',
        },
      ],
    });
  });

  it('is Degraded when OutOfSync and no sync is running', () => {
    const verdict = argoApplicationVerdict(
      app({ sync: 'OutOfSync', health: 'Healthy' }),
    );
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons[0].hint).toBe(ARGOCD_OUT_OF_SYNC_HINT);
  });

  it('names the failed sync when OutOfSync after a failed operation', () => {
    const verdict = argoApplicationVerdict(
      app({
        sync: 'OutOfSync',
        health: 'Healthy',
        phase: 'Failed',
        operationMessage: 'one or more objects failed to apply',
      }),
    );
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons[0].message).toContain(
      'last sync Failed: one or more objects failed to apply',
    );
  });

  it('is Progressing when OutOfSync while a sync is running', () => {
    const verdict = argoApplicationVerdict(
      app({ sync: 'OutOfSync', health: 'Healthy', phase: 'Running' }),
    );
    expect(verdict.state).toBe('Progressing');
    expect(verdict.reasons[0].message).toContain('Syncing');
  });

  it.each([
    ['Degraded', 'Synced', 'Degraded', 'A resource is failing'],
    ['Missing', 'OutOfSync', 'Down', 'Resources are missing from the cluster'],
    ['Progressing', 'Synced', 'Progressing', 'Rolling out'],
    ['Progressing', 'OutOfSync', 'Progressing', 'Rolling out'],
    ['Suspended', 'Synced', 'Degraded', 'Suspended'],
    ['Unknown', 'Synced', 'Unknown', 'ArgoCD does not know the health'],
    ['SomethingNew', 'Synced', 'Unknown', 'ArgoCD does not know the health'],
    [
      'Healthy',
      'Unknown',
      'Unknown',
      'cannot compare the Application with Git',
    ],
  ])('maps health %s with sync %s to %s', (health, sync, state, message) => {
    const verdict = argoApplicationVerdict(app({ sync, health }));
    expect(verdict.state).toBe(state);
    expect(verdict.reasons[0].message).toContain(message);
  });

  it('reports error conditions as Degraded, with a hint per type', () => {
    const verdict = argoApplicationVerdict(
      app({
        sync: 'Unknown',
        health: 'Healthy',
        conditions: [
          {
            type: 'ComparisonError',
            message: 'rpc error: kustomize build failed',
            lastTransitionTime: '2025-01-01T11:00:00Z',
          },
          { type: 'OrphanedResourceWarning', message: '1 orphaned resource' },
        ],
      }),
    );
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons).toHaveLength(2);
    expect(verdict.reasons[0].message).toBe(
      'ComparisonError: rpc error: kustomize build failed',
    );
    expect(verdict.reasons[0].hint).toContain('cannot render or compare');
    expect(verdict.reasons[1].state).toBe('Unknown');
  });

  it('ignores warning conditions', () => {
    const verdict = argoApplicationVerdict(
      app({
        sync: 'Synced',
        health: 'Healthy',
        conditions: [{ type: 'SharedResourceWarning', message: 'shared' }],
      }),
    );
    expect(verdict.state).toBe('Healthy');
    expect(verdict.reasons).toHaveLength(1);
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['an empty object', {}],
    ['a string status', { status: 'weird' }],
    [
      'numbers where strings belong',
      { status: { sync: { status: 5 }, health: { status: true } } },
    ],
    [
      'conditions that are not an array',
      { status: { conditions: 'ComparisonError' } },
    ],
    [
      'empty strings',
      { status: { sync: { status: '' }, health: { status: '' } } },
    ],
  ])('is Unknown for %s', (_, input) => {
    const verdict = argoApplicationVerdict(input);
    expect(verdict.state).toBe('Unknown');
    expect(verdict.reasons[0].message).toBe(
      'ArgoCD has not reported a status for this Application yet',
    );
  });
});

describe('argoSummary', () => {
  it('reads what the environments card shows', () => {
    expect(
      argoSummary(
        app({
          sync: 'OutOfSync',
          health: 'Degraded',
          phase: 'Error',
          operationMessage: 'the server could not find the requested resource',
        }),
      ),
    ).toEqual({
      name: 'payments-api-prod',
      syncStatus: 'OutOfSync',
      healthStatus: 'Degraded',
      revision: REVISION,
      operationPhase: 'Error',
      message: 'the server could not find the requested resource',
    });
  });

  it('takes the first revision of a multi-source Application', () => {
    const summary = argoSummary({
      metadata: { name: 'multi' },
      status: { sync: { status: 'Synced', revisions: ['abc', 'def'] } },
    });
    expect(summary.revision).toBe('abc');
    expect(summary.healthStatus).toBe('Unknown');
  });

  it('falls back to Unknown and undefined for malformed input', () => {
    expect(argoSummary({ status: 'weird', metadata: { name: 3 } })).toEqual({
      name: undefined,
      syncStatus: 'Unknown',
      healthStatus: 'Unknown',
      revision: undefined,
      operationPhase: undefined,
      message: undefined,
    });
  });
});

import {
  crossplaneSummary,
  crossplaneVerdict,
  RECONCILE_ERROR_EXPLANATION,
} from './crossplane';

type TestCondition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
};

const ready = (reason = 'Available'): TestCondition => ({
  type: 'Ready',
  status: 'True',
  reason,
});
const synced = (): TestCondition => ({
  type: 'Synced',
  status: 'True',
  reason: 'ReconcileSuccess',
});
const notReady = (reason: string, message?: string): TestCondition => ({
  type: 'Ready',
  status: 'False',
  reason,
  message,
});
const notSynced = (reason: string, message?: string): TestCondition => ({
  type: 'Synced',
  status: 'False',
  reason,
  message,
});

/** A Crossplane v2 namespaced composite resource as the Kubernetes API returns it. */
function database(
  conditions: unknown,
  spec: object = { connectionSecretName: 'orders-db-conn' },
) {
  return {
    apiVersion: 'platform.idp-portal.io/v1alpha1',
    kind: 'PostgreSQLDatabase',
    metadata: { name: 'orders-db', namespace: 'payments-api' },
    spec: { size: 'small', ...spec },
    status: {
      conditions: Array.isArray(conditions)
        ? conditions.map(c => ({
            lastTransitionTime: '2025-01-01T11:00:00Z',
            ...c,
          }))
        : conditions,
    },
  };
}

describe('crossplaneVerdict', () => {
  it('is Healthy when Ready and Synced', () => {
    expect(crossplaneVerdict(database([ready(), synced()]), true)).toEqual({
      state: 'Healthy',
      reasons: [
        {
          state: 'Healthy',
          source: 'PostgreSQLDatabase orders-db',
          message: 'Ready and Synced',
        },
      ],
    });
  });

  it('is Degraded when Synced is False, with the ReconcileError explanation', () => {
    const verdict = crossplaneVerdict(
      database([
        ready(),
        notSynced('ReconcileError', 'update failed: invalid sku "Z9"'),
      ]),
    );
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.reasons[0].message).toBe(
      'Crossplane cannot apply it (Synced is False: ReconcileError: update failed: invalid sku "Z9")',
    );
    expect(verdict.reasons[0].hint).toBe(RECONCILE_ERROR_EXPLANATION);
  });

  it.each([
    [
      'ReconcileError',
      'create failed: AuthorizationFailed: The client does not have authorization to perform action',
      'role assignment',
    ],
    [
      'ReconcileError',
      'cannot compose resources: pipeline step "render" returned a fatal result',
      'Composition pipeline',
    ],
    [
      'ReconcileError',
      'cannot resolve references: referenced field was empty (referenced resource may not yet be ready)',
      'does not exist or is not ready yet',
    ],
    [
      'ReconcileError',
      'connect failed: cannot get referenced ProviderConfig',
      'ProviderConfig',
    ],
    [
      'ReconcilePaused',
      'Reconciliation is paused via the pause annotation',
      'crossplane.io/paused',
    ],
  ])('explains Synced=False %s "%s"', (reason, message, explanation) => {
    const verdict = crossplaneVerdict(
      database([notReady('Creating'), notSynced(reason, message)]),
    );
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons[0].hint).toContain(explanation);
    // One resource, one state: no "Creating, takes 5-15 minutes" beside the refusal.
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.reasons[0].hint).not.toContain('5-15 minutes');
  });

  it('is Progressing while Azure creates it', () => {
    const verdict = crossplaneVerdict(
      database([notReady('Creating'), synced()]),
    );
    expect(verdict.state).toBe('Progressing');
    expect(verdict.reasons[0].message).toBe('Not ready: Creating');
    expect(verdict.reasons[0].hint).toContain('databases take 5-15 minutes');
  });

  it('is Progressing while a claim waits for its composite', () => {
    const verdict = crossplaneVerdict(
      database(
        [
          notReady(
            'Waiting',
            'Claim is waiting for composite resource to become Ready',
          ),
          synced(),
        ],
        { writeConnectionSecretToRef: { name: 'orders-db-conn' } },
      ),
    );
    expect(verdict.state).toBe('Progressing');
  });

  it('is Down while being deleted and Degraded when unavailable', () => {
    expect(
      crossplaneVerdict(database([notReady('Deleting'), synced()])).state,
    ).toBe('Down');
    const unavailable = crossplaneVerdict(
      database([notReady('Unavailable'), synced()]),
    );
    expect(unavailable.state).toBe('Degraded');
    expect(unavailable.reasons[0].hint).toContain('Azure portal');
  });

  it('is Degraded when Azure refused the create even though Ready still says Creating', () => {
    const verdict = crossplaneVerdict(
      database([
        notReady('Creating'),
        synced(),
        {
          type: 'LastAsyncOperation',
          status: 'False',
          reason: 'AsyncCreateFailure',
          message: 'async create failed: Code="StorageAccountAlreadyTaken"',
        },
      ]),
    );
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons[0].message).toContain(
      'The last operation in Azure failed: AsyncCreateFailure',
    );
    expect(verdict.reasons[0].hint).toContain('already taken');
  });

  it('is Degraded when Ready but the connection secret is missing', () => {
    const verdict = crossplaneVerdict(database([ready(), synced()]), false);
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons[0].message).toBe(
      'Ready, but its connection secret orders-db-conn does not exist',
    );
    expect(verdict.reasons[0].hint).toContain(
      'The workload cannot connect yet',
    );
  });

  it('is Healthy when the secret was not checked', () => {
    expect(crossplaneVerdict(database([ready()])).state).toBe('Healthy');
    expect(crossplaneVerdict(database([ready()])).reasons[0].message).toBe(
      'Ready',
    );
  });

  it('is Progressing when applied but readiness not reported yet', () => {
    const verdict = crossplaneVerdict(database([synced()]));
    expect(verdict.state).toBe('Progressing');
  });

  it('is Unknown when only Synced=Unknown is reported', () => {
    const verdict = crossplaneVerdict(
      database([{ type: 'Synced', status: 'Unknown' }]),
    );
    expect(verdict.state).toBe('Unknown');
  });

  it.each([
    ['null', null],
    ['a string', 'orders-db'],
    ['an empty object', {}],
    ['a string status', { status: 'weird' }],
    ['conditions that are not an array', database('Ready')],
    ['no conditions', database([])],
    [
      'malformed conditions',
      database([
        null,
        5,
        { type: 'Ready', status: true },
        { type: 7, status: 'True' },
        { type: 'Synced', status: 'Yes' },
      ]),
    ],
  ])('is Unknown for %s', (_, input) => {
    const verdict = crossplaneVerdict(input, false);
    expect(verdict.state).toBe('Unknown');
    expect(verdict.reasons[0].message).toBe(
      'Crossplane has not reported Ready or Synced conditions for it yet',
    );
  });
});

describe('crossplaneSummary', () => {
  it('reads a Crossplane v2 composite with its conditions explained', () => {
    expect(
      crossplaneSummary(
        database([notReady('Creating'), notSynced('ReconcileError', 'boom')]),
        false,
      ),
    ).toEqual({
      kind: 'PostgreSQLDatabase',
      name: 'orders-db',
      ready: 'False',
      synced: 'False',
      messages: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Creating',
          message: undefined,
          explanation: 'It will not become ready until the failure Crossplane reports for it is fixed.',
        },
        {
          type: 'Synced',
          status: 'False',
          reason: 'ReconcileError',
          message: 'boom',
          explanation: RECONCILE_ERROR_EXPLANATION,
        },
      ],
      connectionSecret: { name: 'orders-db-conn', exists: false },
    });
  });

  it('reads the secret of a v1 claim and gives no explanation for True conditions', () => {
    const summary = crossplaneSummary(
      database([ready(), synced()], {
        writeConnectionSecretToRef: { name: 'claim-conn' },
      }),
      true,
    );
    expect(summary.connectionSecret).toEqual({
      name: 'claim-conn',
      exists: true,
    });
    expect(summary.ready).toBe('True');
    expect(summary.messages.every(m => m.explanation === undefined)).toBe(true);
  });

  it('has no connection secret when none is written, and Unknown for malformed input', () => {
    expect(
      crossplaneSummary(database([ready()], {})).connectionSecret,
    ).toBeUndefined();
    expect(crossplaneSummary({ status: { conditions: 'x' }, kind: 5 })).toEqual(
      {
        kind: undefined,
        name: undefined,
        ready: 'Unknown',
        synced: 'Unknown',
        messages: [],
      },
    );
  });
});

describe('a resource Azure refused while Ready says Creating', () => {
  const refused = database([
    notReady('Creating'),
    synced(),
    {
      type: 'LastAsyncOperation',
      status: 'False',
      reason: 'ApplyFailure',
      message:
        'async create failed: NameNotAvailable: Server name orders-db is already in use',
    },
  ]);

  it('has one state and one reason, the refusal, with its advice', () => {
    const verdict = crossplaneVerdict(refused, false);
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.reasons[0].message).toBe(
      'The last operation in Azure failed: ApplyFailure: async create failed: NameNotAvailable: Server name orders-db is already in use, so it is not ready',
    );
    expect(verdict.reasons[0].hint).toMatch(/already taken in Azure/);
  });

  it('does not tell the card it takes 5-15 minutes', () => {
    const summary = crossplaneSummary(refused, false);
    const readyMessage = summary.messages.find(m => m.type === 'Ready');
    expect(readyMessage?.explanation).toBe(
      'It will not become ready until the failure Crossplane reports for it is fixed.',
    );
    expect(JSON.stringify(summary)).not.toContain('5-15 minutes');
  });
});

import alertsList from './__fixtures__/Alerts_List.2021-04-01.json';
import { alertsVerdict } from './alerts';

const realAlerts: any[] = alertsList.responses['200'].body.value;

/** The first real alert with other essentials. */
function alert(essentials: object) {
  const copy = JSON.parse(JSON.stringify(realAlerts[0]));
  Object.assign(copy.properties.essentials, essentials);
  return copy;
}

describe('alertsVerdict', () => {
  it('keeps the real Sev3 alerts as Healthy reasons', () => {
    const verdict = alertsVerdict(realAlerts);
    expect(verdict.state).toBe('Healthy');
    expect(verdict.reasons.map(r => r.message)).toEqual([
      'Sev3 (informational) alert "cpu alert" fired on servicedeskappinsight (Acknowledged)',
      'Sev3 (informational) alert "cpu alert" fired on servicedeskwcus (New)',
    ]);
    expect(verdict.reasons[0].source).toBe('Azure Monitor');
  });

  it.each([
    ['Sev0', 'Down'],
    ['Sev1', 'Degraded'],
    ['Sev2', 'Degraded'],
    ['Sev3', 'Healthy'],
    ['Sev4', 'Healthy'],
  ])('maps a fired %s alert to %s', (severity, state) => {
    const verdict = alertsVerdict([alert({ severity, alertState: 'New' })]);
    expect(verdict.state).toBe(state);
    expect(verdict.reasons[0].message).toContain(`${severity} (`);
  });

  it('lists the worst alert first', () => {
    const verdict = alertsVerdict([
      alert({ severity: 'Sev3' }),
      alert({ severity: 'Sev0', targetResourceName: 'orders-db' }),
    ]);
    expect(verdict.state).toBe('Down');
    expect(verdict.reasons[0].message).toContain(
      'Sev0 (critical) alert "cpu alert" fired on orders-db',
    );
  });

  it('ignores Resolved and Closed alerts', () => {
    const verdict = alertsVerdict([
      alert({ severity: 'Sev0', monitorCondition: 'Resolved' }),
      alert({ severity: 'Sev1', alertState: 'Closed' }),
    ]);
    expect(verdict.state).toBe('Healthy');
    expect(verdict.reasons).toEqual([
      {
        state: 'Healthy',
        source: 'Azure Monitor',
        message: 'No Azure Monitor alerts are firing',
      },
    ]);
  });

  it('is Healthy when there are no alerts', () => {
    expect(alertsVerdict([]).state).toBe('Healthy');
  });

  it('skips malformed alerts next to readable ones', () => {
    const verdict = alertsVerdict([
      null,
      { properties: 'x' },
      alert({ severity: 'Sev1' }),
    ]);
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons).toHaveLength(1);
  });

  it.each([
    ['null', null],
    ['an object', { value: [] }],
    [
      'only malformed entries',
      [
        null,
        {},
        {
          properties: {
            essentials: { severity: 0, monitorCondition: 'Fired' },
          },
        },
      ],
    ],
    ['an unknown severity', [alert({ severity: 'Sev9' })]],
  ])('is Unknown for %s', (_, input) => {
    const verdict = alertsVerdict(input as any);
    expect(verdict.state).toBe('Unknown');
    expect(verdict.reasons[0].message).toBe('The alerts could not be read');
  });
});

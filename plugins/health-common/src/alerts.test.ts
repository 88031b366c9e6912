import { alertFromArm, AzureAlert } from '@internal/plugin-azure-monitor-common';
// Only the fakes' copy of Azure's example payload is used; no fake server is started.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { ALERTS_LIST_EXAMPLE } from '@internal/test-fakes/azure';
import { alertsVerdict } from './alerts';

/** The real example alerts, as Azure Monitor's reader hands them on. */
const realAlerts: AzureAlert[] = ALERTS_LIST_EXAMPLE.responses['200'].body.value.map(
  item => alertFromArm(item, 'https://portal.azure.com')!,
);

const alert = (changes: Partial<AzureAlert>): AzureAlert => ({ ...realAlerts[0], ...changes });

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
  ] as const)('maps a fired %s alert to %s', (severity, state) => {
    const verdict = alertsVerdict([alert({ severity, state: 'New' })]);
    expect(verdict.state).toBe(state);
    expect(verdict.reasons[0].message).toContain(`${severity} (`);
  });

  it('lists the worst alert first', () => {
    const verdict = alertsVerdict([
      alert({ severity: 'Sev3' }),
      alert({
        severity: 'Sev0',
        targetResource:
          '/subscriptions/3b540246-808d-4331-99aa-917b808a9166/resourceGroups/rg-payments/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders-db',
      }),
    ]);
    expect(verdict.state).toBe('Down');
    expect(verdict.reasons[0].message).toContain(
      'Sev0 (critical) alert "cpu alert" fired on orders-db',
    );
  });

  it('ignores Resolved and Closed alerts', () => {
    const verdict = alertsVerdict([
      alert({ severity: 'Sev0', monitorCondition: 'Resolved' }),
      alert({ severity: 'Sev1', state: 'Closed' }),
    ]);
    expect(verdict.state).toBe('Healthy');
    expect(verdict.quiet).toBe(true);
    expect(verdict.reasons).toEqual([
      {
        state: 'Healthy',
        source: 'Azure Monitor',
        message: 'No Azure Monitor alerts are firing',
      },
    ]);
  });

  it('is Healthy, and quiet, when there are no alerts', () => {
    expect(alertsVerdict([])).toMatchObject({ state: 'Healthy', quiet: true });
  });
});

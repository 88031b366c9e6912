// Only the fakes' copy of Azure's example payload is used; no fake server is started.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { ALERTS_LIST_EXAMPLE } from '@internal/test-fakes/azure';
import { alertFromArm, ArmAlert } from './alerts';

const PORTAL = 'https://portal.azure.com';
const [first] = ALERTS_LIST_EXAMPLE.responses['200'].body.value as ArmAlert[];
const withEssentials = (essentials: object): ArmAlert => ({
  ...first,
  properties: { essentials: { ...first.properties!.essentials, ...essentials } },
});

describe('alertFromArm', () => {
  it('reads the real Alerts_GetAll example', () => {
    expect(alertFromArm(first, PORTAL)).toEqual({
      id: first.id,
      name: 'cpu alert',
      severity: 'Sev3',
      state: 'Acknowledged',
      monitorCondition: 'Fired',
      firedAt: first.properties!.essentials!.startDateTime,
      targetResource: first.properties!.essentials!.targetResource,
      portalUrl: `${PORTAL}/#blade/Microsoft_Azure_Monitoring/AlertDetailsTemplateBlade/alertId/${encodeURIComponent(first.id!)}`,
    });
  });

  it.each([
    ['no id', { ...first, id: undefined }],
    ['no essentials', { id: first.id, properties: {} }],
    ['an unknown severity', withEssentials({ severity: 'Sev9' })],
    ['a Resolved alert', withEssentials({ monitorCondition: 'Resolved' })],
    ['a Closed alert', withEssentials({ alertState: 'Closed' })],
  ])('gives nothing for %s', (_, item) => {
    expect(alertFromArm(item as ArmAlert, PORTAL)).toBeUndefined();
  });
});

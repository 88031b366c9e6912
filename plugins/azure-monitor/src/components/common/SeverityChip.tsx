import { Chip } from '@material-ui/core';
import { AlertSeverity } from '../../api';

/** Azure's own names for the severities, shown as the chip's tooltip. */
const SEVERITY_NAMES: Record<AlertSeverity, string> = {
  Sev0: 'Critical',
  Sev1: 'Error',
  Sev2: 'Warning',
  Sev3: 'Informational',
  Sev4: 'Verbose',
};

const COLOURS: Record<AlertSeverity, { background: string; color: string }> = {
  Sev0: { background: '#b71c1c', color: '#fff' },
  Sev1: { background: '#e53935', color: '#fff' },
  Sev2: { background: '#f57c00', color: '#fff' },
  Sev3: { background: '#fbc02d', color: '#212121' },
  Sev4: { background: '#607d8b', color: '#fff' },
};

/** Sev0 is the most severe; unknown severities sort last. */
export function severityRank(severity: string): number {
  const rank = Object.keys(SEVERITY_NAMES).indexOf(severity);
  return rank === -1 ? Number.MAX_SAFE_INTEGER : rank;
}

export const SeverityChip = (props: { severity: AlertSeverity; count?: number }) => {
  const colours = COLOURS[props.severity] ?? COLOURS.Sev4;
  const label =
    props.count === undefined ? props.severity : `${props.severity} × ${props.count}`;
  return (
    <Chip
      size="small"
      label={label}
      title={SEVERITY_NAMES[props.severity] ?? props.severity}
      style={{ ...colours, fontWeight: 600, margin: 0 }}
    />
  );
};

import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type { HealthState as State } from '@internal/plugin-health-common';

const StatusWord = ({ state }: { state: State }) => {
  switch (state) {
    case 'Healthy':
      return <StatusOK>Healthy</StatusOK>;
    case 'Progressing':
      return <StatusPending>Progressing</StatusPending>;
    case 'Degraded':
      return <StatusWarning>Degraded</StatusWarning>;
    case 'Down':
      return <StatusError>Down</StatusError>;
    default:
      return <StatusAborted>Unknown</StatusAborted>;
  }
};

/** The verdict with the status colour Backstage users already read; never broken mid-word. */
// Inline-block: Backstage's status words are flex boxes, which would otherwise take a line each.
export const HealthState = ({ state }: { state: State }) => (
  <span style={{ whiteSpace: 'nowrap', display: 'inline-block' }}>
    <StatusWord state={state} />
  </span>
);

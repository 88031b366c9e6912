import { HealthState, Reason, Verdict } from './types';

const SEVERITY: Record<HealthState, number> = {
  Down: 4,
  Degraded: 3,
  Progressing: 2,
  // Between Progressing and Healthy so that "could not tell" is listed above "all fine".
  Unknown: 1,
  Healthy: 0,
};

export function compareReasons(a: Reason, b: Reason): number {
  return SEVERITY[b.state] - SEVERITY[a.state];
}

/**
 * The worst known state. Unknown never wins over something known: one source
 * that cannot tell must not hide what the others can.
 */
export function worstState(states: HealthState[]): HealthState {
  let worst: HealthState = 'Unknown';
  for (const state of states) {
    if (state === 'Unknown') continue;
    if (worst === 'Unknown' || SEVERITY[state] > SEVERITY[worst]) worst = state;
  }
  return worst;
}

export function verdictFromReasons(reasons: Reason[]): Verdict {
  return {
    state: worstState(reasons.map(r => r.state)),
    reasons: [...reasons].sort(compareReasons),
  };
}

import type { AzureAlert } from '@internal/plugin-azure-monitor-common';
import { alertsVerdict } from './alerts';
import { argoApplicationVerdict } from './argocd';
import { crossplaneVerdict } from './crossplane';
import { asArray, asRecord } from './narrow';
import { PodSummary, podsVerdict, summarizePods } from './pods';
import { compareReasons, worstState } from './state';
import { Reason, SourceFailure, Verdict } from './types';

const FAILED_SOURCE_HINT =
  'The verdict is built from the other sources until this one answers again.';

function failureReason(failure: SourceFailure): Reason {
  // The card shows the message alone in places, so it must name the source.
  const message = failure.message.includes(failure.source)
    ? failure.message
    : `${failure.source}: ${failure.message}`;
  return {
    state: 'Unknown',
    source: failure.source,
    message,
    hint: FAILED_SOURCE_HINT,
  };
}

/**
 * The worst known state of the parts wins (Down > Degraded > Progressing > Healthy).
 * A source that could not be read adds an Unknown reason and marks the verdict
 * partial without changing its state: one slow cluster must not turn a healthy
 * component red, and the card says what it could not see. Only when nothing is
 * known at all is the verdict Unknown. Verdicts that are themselves partial keep
 * their failed sources, so environment verdicts can be combined again.
 */
export function combineVerdicts(
  parts: Verdict[],
  failures: SourceFailure[] = [],
): Verdict {
  const reasons = [
    ...parts.flatMap(p => p.reasons),
    ...failures.map(failureReason),
  ].sort(compareReasons);
  if (reasons.length === 0) {
    reasons.push({
      state: 'Unknown',
      source: 'health',
      message: 'No source reported anything about this component',
    });
  }
  const failedSources = [
    ...new Set([
      ...parts.flatMap(p => p.failedSources ?? []),
      ...failures.map(f => f.source),
    ]),
  ];
  // "No alerts firing" alone is no evidence of health: with nothing known about the
  // workload (pods, ArgoCD, Crossplane) the component is Unknown, not Healthy.
  const workload = worstState(parts.filter(p => !p.quiet).map(p => p.state));
  const quiet = parts.length > 0 && parts.every(p => p.quiet);
  return {
    state: workload === 'Unknown' ? 'Unknown' : worstState(parts.map(p => p.state)),
    reasons,
    ...(failedSources.length > 0 ? { partial: true, failedSources } : {}),
    ...(quiet ? { quiet } : {}),
  };
}

export type CrossplaneResourceInput = {
  resource: unknown;
  /** Whether the connection secret was found; leave undefined when not checked. */
  secretExists?: boolean;
};

/** Everything read for one environment. A field left undefined was not looked at and adds nothing. */
export type EnvironmentHealthInput = {
  pods?: unknown[];
  /** summarizePods of the pods, when the caller has it already; used instead of `pods`. */
  podSummary?: PodSummary;
  desiredReplicas?: number;
  argoApplications?: unknown[];
  crossplaneResources?: CrossplaneResourceInput[];
  alerts?: AzureAlert[];
  failures?: SourceFailure[];
  /** For "recently started" pods; defaults to the current time. */
  now?: Date;
};

export function computeEnvironmentVerdict(
  input: EnvironmentHealthInput,
): Verdict {
  const parts: Verdict[] = [];
  if (input.podSummary !== undefined || input.pods !== undefined) {
    parts.push(
      podsVerdict(
        input.podSummary ?? summarizePods(asArray(input.pods), input.now),
        input.desiredReplicas,
      ),
    );
  }
  for (const app of asArray(input.argoApplications)) {
    parts.push(argoApplicationVerdict(app));
  }
  for (const entry of asArray(input.crossplaneResources)) {
    const { resource, secretExists } = (asRecord(entry) ??
      {}) as CrossplaneResourceInput;
    parts.push(
      crossplaneVerdict(
        resource,
        typeof secretExists === 'boolean' ? secretExists : undefined,
      ),
    );
  }
  if (input.alerts !== undefined) {
    parts.push(alertsVerdict(input.alerts));
  }
  return combineVerdicts(parts, asArray(input.failures) as SourceFailure[]);
}

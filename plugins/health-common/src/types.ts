/** The verdict shown on a component's overview page. Severity: Down > Degraded > Progressing > Healthy; Unknown when nothing is known. */
export type HealthState =
  | 'Healthy'
  | 'Progressing'
  | 'Degraded'
  | 'Down'
  | 'Unknown';

/** One observation behind a verdict, e.g. "2 of 3 pods ready; 1 in CrashLoopBackOff". */
export type Reason = {
  state: HealthState;
  /** What was looked at: "Kubernetes pods", "ArgoCD Application payments-api-prod", a cluster name... */
  source: string;
  message: string;
  /** What it usually means and what to do, in plain language. */
  hint?: string;
  /** The environment it was seen in; absent for sources of no environment (Azure Monitor). */
  environment?: string;
};

export type Verdict = {
  state: HealthState;
  reasons: Reason[];
  /** Set when at least one source could not be read: the verdict is built from the rest. */
  partial?: boolean;
  /**
   * Says only that nothing is wrong (no Azure Monitor alert firing): it cannot make a
   * component Healthy on its own, when nothing about its workload was read.
   */
  quiet?: boolean;
  failedSources?: string[];
};

/** A source that could not be read: a cluster that timed out, a 403 from Azure... */
export type SourceFailure = {
  source: string;
  message: string;
  /** The user's own sign-in would let this source be read (AKS clusters with Entra ID RBAC). */
  signIn?: 'aks';
};

// The health backend's responses, shared with the cards that draw them.
import type { ArgoSummary } from './argocd';
import type { CrossplaneSummary } from './crossplane';
import type { HealthState, SourceFailure, Verdict } from './types';

/** The ArgoCD Application of one environment, with links for the environments card. */
export type EnvironmentApplication = ArgoSummary & {
  /** The Application in the ArgoCD UI; set when `health.clusters.<name>.argocdUrl` is configured. */
  url?: string;
  /** The synced revision in the GitOps repository; set when `health.gitops.commitUrlTemplate` is configured. */
  commitUrl?: string;
};

/** One row of the environments card: one configured cluster and the environment it serves. */
export type EnvironmentRow = {
  environment: string;
  cluster: string;
  application?: EnvironmentApplication;
  /** Distinct tags (or digests) of the images the component's pods run. */
  imageTags: string[];
  /** The full image references the tags come from. */
  images: string[];
  pods: { ready: number; total: number; restarts: number };
  verdict: Verdict;
  /** The sources of this cluster that could not be read; empty when everything answered. */
  failures: SourceFailure[];
};

/** One row of the cloud resources card: a Crossplane resource of the component. */
export type ResourceRow = CrossplaneSummary & {
  environment: string;
  cluster: string;
  namespace?: string;
  verdict: Verdict;
};

/** Set when the portal itself lacks what a card needs: not a failure, nothing was tried. */
export type NotConfigured = {
  message: string;
  /** The app-config keys a platform engineer sets. */
  settings: string[];
  /** Where the setup is written down, relative to the repository. */
  docs: string;
};

/** Everything the backend knows about one entity's health, cached as one value. */
export type EntityHealth = {
  entityRef: string;
  verdict: Verdict;
  environments: EnvironmentRow[];
  resources: ResourceRow[];
  /** Every source that could not be read; the rest of the answer is built without it. */
  failures: SourceFailure[];
  /** ISO 8601 time the sources were read; older than the request when served from the cache. */
  generatedAt: string;
  /**
   * Served from the cache after it was due for a refresh, while one fresh read runs: the
   * cards say how old it is (generatedAt).
   */
  stale?: boolean;
  notConfigured?: NotConfigured;
};

type ResponseCommon = Pick<
  EntityHealth,
  'entityRef' | 'failures' | 'generatedAt' | 'stale' | 'notConfigured'
>;

/** `GET /api/health/v1/entities/:kind/:namespace/:name/verdict` */
export type VerdictResponse = ResponseCommon & {
  verdict: Verdict;
  /** Each environment's state, in promotion order, for the summary beside the verdict. */
  environments: Array<{ environment: string; cluster: string; state: HealthState }>;
};

/** `GET /api/health/v1/entities/:kind/:namespace/:name/environments` */
export type EnvironmentsResponse = ResponseCommon & {
  environments: EnvironmentRow[];
};

/** `GET /api/health/v1/entities/:kind/:namespace/:name/resources` */
export type ResourcesResponse = ResponseCommon & { resources: ResourceRow[] };

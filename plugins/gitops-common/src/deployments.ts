import { EnvironmentConfig } from '@internal/plugin-platform-common';

/** One entry of a kustomization's `images:`, the one field promote and rollback change. */
export type KustomizeImage = {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
};

/** What an environment runs, as Git says: the overlay's image of the service. */
export type DeployedImage = {
  /** The full reference, e.g. contoso.azurecr.io/shop:1.4.2 or …@sha256:… */
  reference: string;
  /** The tag, or the digest when the overlay pins one. */
  version: string;
  entry: KustomizeImage;
};

/** The overlay's image of `service`: the images entry named after it, else the first. */
export function overlayImage(
  kustomization: { images?: KustomizeImage[] } | undefined,
  service: string,
): DeployedImage | undefined {
  const images = kustomization?.images ?? [];
  const entry =
    images.find(i => i.name === service || i.name.endsWith(`/${service}`)) ?? images[0];
  if (!entry) return undefined;
  const repository = entry.newName ?? entry.name;
  if (entry.digest) {
    return { reference: `${repository}@${entry.digest}`, version: entry.digest, entry };
  }
  const tag = entry.newTag ?? 'latest';
  return { reference: `${repository}:${tag}`, version: tag, entry };
}

/** The kustomization with the service's image set to `image`'s repository, tag and digest. */
export function withImage<K extends { images?: KustomizeImage[] }>(
  kustomization: K,
  service: string,
  image: KustomizeImage,
): K {
  const current = overlayImage(kustomization, service);
  const next: KustomizeImage = {
    name: current?.entry.name ?? image.name,
    ...(image.newName && image.newName !== (current?.entry.name ?? image.name)
      ? { newName: image.newName }
      : {}),
    ...(image.digest ? { digest: image.digest } : { newTag: image.newTag }),
  };
  const images = (kustomization.images ?? []).map(i => (i === current?.entry ? next : i));
  return { ...kustomization, images: current ? images : [...images, next] };
}

/**
 * The environments of a promotion, in `gitops.environments` order: `to` defaults to the one after
 * `from`. Throws with what to do instead for an unknown environment, the last one, the same
 * one, or a step backwards (which is a rollback).
 */
export function promotionTargets(
  environments: EnvironmentConfig[],
  from: string,
  to?: string,
): { from: EnvironmentConfig; to: EnvironmentConfig } {
  const names = environments.map(e => e.name);
  const index = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) {
      throw new Error(
        `There is no environment "${name}"; the environments are ${names.join(', ')} (gitops.environments).`,
      );
    }
    return i;
  };
  const i = index(from);
  if (to === undefined) {
    if (i === names.length - 1) {
      throw new Error(
        `${from} is the last environment (${names.join(' → ')}), so there is nothing to promote it to.`,
      );
    }
    return { from: environments[i], to: environments[i + 1] };
  }
  const j = index(to);
  if (j === i) {
    throw new Error(`${from} is both the source and the target; promote to a later environment.`);
  }
  if (j < i) {
    throw new Error(
      `Promotion goes forward (${names.join(' → ')}); to put an earlier image back in ${to}, roll it back instead.`,
    );
  }
  return { from: environments[i], to: environments[j] };
}

/** A commit that changed an environment's overlay, as the deployments view links it. */
export type OverlayChange = {
  sha: string;
  author: string;
  /** ISO time of the commit. */
  at: string;
  subject: string;
  url?: string;
};

/**
 * How Git and the cluster agree for one environment: `synced` (ArgoCD has synced a revision that
 * includes the last overlay change), `pending` (committed, not synced yet), `rolling-out`
 * (synced, but the pods do not all run the image yet), `unknown` (the cluster did not say).
 */
export type DeploymentAgreement = 'synced' | 'pending' | 'rolling-out' | 'unknown';

/** One row of the deployments view: one environment of a component. */
export type DeploymentRow = {
  environment: string;
  /** Changes to it go through a pull request. */
  pullRequest: boolean;
  /** What Git says; absent when the service has no overlay in this environment. */
  git?: {
    image: string;
    version: string;
    lastChange?: OverlayChange;
    /** Earlier images of this environment, newest first: what a rollback may choose. */
    earlier: Array<{ version: string; image: string; change: OverlayChange }>;
  };
  /** What the cluster says, through the health plugin; absent when it could not be read. */
  cluster?: {
    syncStatus: string;
    healthStatus: string;
    revision?: string;
    syncedAt?: string;
    imageTags: string[];
    message?: string;
  };
  agreement: DeploymentAgreement;
  /** In words, for the row: what is waiting on what. */
  explanation: string;
  /** The next environment its image would be promoted to. */
  promotesTo?: string;
};

/** A preview environment of the component, as Git holds it. */
export type PreviewRow = {
  preview: string;
  namespace: string;
  environment: string;
  image?: string;
  version?: string;
  expiresAt: string;
  owner: string;
};

/** GET /api/scaffolder/gitops/v1/deployments/:namespace/:name */
export type DeploymentsResponse = {
  component: string;
  environments: DeploymentRow[];
  previews: PreviewRow[];
  /** Why the cluster side is missing, when it is. */
  clusterError?: string;
};

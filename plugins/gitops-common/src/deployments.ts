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

import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { checkName, CROSSPLANE_KIND_ANNOTATION } from '@internal/plugin-gitops-common';
import { KUBERNETES_ID_ANNOTATION, ResourceKind } from '@internal/plugin-platform-common';

type EntityLike = {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { owner?: string; dependencyOf?: string[] };
};

const componentRef = (name: string) => `component:default/${name}`;

/** `component:x` and `component:default/x` are the same reference. */
const sameRef = (a: string, b: string) =>
  a.toLowerCase().replace(/^([a-z]+):(?![^/]*\/)/, '$1:default/') ===
  b.toLowerCase().replace(/^([a-z]+):(?![^/]*\/)/, '$1:default/');

/**
 * What a golden path refers to, looked up in the catalog with the credentials of the user
 * who started the task: a reference the user cannot see is a reference that does not exist
 * for them. Every check runs before the first side effect.
 */
export class CatalogReferences {
  constructor(private readonly catalog: CatalogService) {}

  private async get(ref: string, credentials: BackstageCredentials) {
    return (await this.catalog.getEntityByRef(ref, { credentials })) as EntityLike | undefined;
  }

  /** The owner must be a Group: a team owns the ArgoCD project. */
  async assertOwnerIsGroup(owner: string, credentials: BackstageCredentials): Promise<void> {
    const entity = await this.get(owner, credentials);
    if (!entity) {
      throw new InputError(
        `The owner ${owner} is not in the catalog (or you may not see it). Choose an existing team, for example with the owner picker; nothing was changed.`,
      );
    }
    if (entity.kind.toLowerCase() !== 'group') {
      throw new InputError(
        `The owner ${owner} is a ${entity.kind} in the catalog, not a Group; a team owns the service and its ArgoCD project. Choose a team; nothing was changed.`,
      );
    }
  }

  /** The service a resource attaches to must be a Component in the catalog. */
  async assertComponent(
    component: string,
    credentials: BackstageCredentials,
    purpose = 'attach the resource to',
  ): Promise<void> {
    if (!(await this.get(componentRef(component), credentials))) {
      throw new InputError(
        `The service ${componentRef(component)} is not in the catalog (or you may not see it), so there is nothing to ${purpose}. Pick a service from the catalog, or create it with a service golden path first; nothing was changed.`,
      );
    }
  }

  /** The owner of a service the user may see in the catalog; refuses one that is not there. */
  async ownerOfComponent(
    component: string,
    credentials: BackstageCredentials,
    purpose: string,
  ): Promise<string> {
    await this.assertComponent(component, credentials, purpose);
    const entity = await this.get(componentRef(component), credentials);
    const owner = entity?.spec?.owner;
    if (!owner) {
      throw new InputError(`${componentRef(component)} names no owner in the catalog; nothing was changed.`);
    }
    return owner;
  }

  /**
   * A resource name must be free in the catalog, or be this service's resource of this kind
   * already (a re-run, which then changes nothing). Says which.
   */
  async claimResourceName(
    resource: { kind: string; name: string },
    component: string,
    credentials: BackstageCredentials,
  ): Promise<'free' | 'ours'> {
    const ref = `resource:default/${resource.name}`;
    const existing = await this.get(ref, credentials);
    if (!existing) return 'free';
    const annotations = existing.metadata.annotations ?? {};
    const ofComponent =
      annotations[KUBERNETES_ID_ANNOTATION] === component ||
      (existing.spec?.dependencyOf ?? []).some(d => sameRef(d, componentRef(component)));
    const kind = annotations[CROSSPLANE_KIND_ANNOTATION];
    if (ofComponent && (!kind || kind === resource.kind)) return 'ours';
    const suggestion = `${component}-${resource.name}`;
    const example =
      checkName(suggestion, 'resource', { kind: resource.kind as ResourceKind }).length === 0
        ? suggestion
        : `${resource.name}-2`;
    if (ofComponent) {
      throw new ConflictError(
        `The resource name "${resource.name}" is already the ${kind} of ${componentRef(component)} in the catalog, so it cannot also be its ${resource.kind}. Choose another name, for example "${example}"; nothing was changed.`,
      );
    }
    const usedBy =
      existing.spec?.dependencyOf?.join(', ') ||
      annotations[KUBERNETES_ID_ANNOTATION] ||
      'another service';
    const owner = existing.spec?.owner ? `, owned by ${existing.spec.owner}` : '';
    throw new ConflictError(
      `The resource name "${resource.name}" is taken in the catalog: ${ref} belongs to ${usedBy}${owner}. Resource names are unique in the catalog; choose another name, for example "${example}". Nothing was changed.`,
    );
  }
}

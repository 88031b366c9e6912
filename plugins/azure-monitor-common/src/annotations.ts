import type { Entity } from '@backstage/catalog-model';

/** One or more full Azure Resource Manager ids of the component's resources, comma-separated. */
export const AZURE_RESOURCE_ID_ANNOTATION = 'azure.com/resource-id';
/** Every resource of one resource group: `<subscriptionId>/<resourceGroup>`. */
export const AZURE_RESOURCE_GROUP_ANNOTATION = 'azure.com/resource-group';
/**
 * Resources carrying an Azure tag, `key=value`, searched in `azureMonitor.subscriptionIds`.
 * Golden paths tag their resources `backstage.io/kubernetes-id=<component>`.
 */
export const AZURE_TAG_SELECTOR_ANNOTATION = 'azure.com/tag-selector';

/** The annotations that tell the Azure Monitor plugin where a component's resources are. */
export const AZURE_MONITOR_ANNOTATIONS = [
  AZURE_RESOURCE_ID_ANNOTATION,
  AZURE_RESOURCE_GROUP_ANNOTATION,
  AZURE_TAG_SELECTOR_ANNOTATION,
];

/** Where to look for an entity's Azure resources; every kind of selector may be present at once. */
export type ResourceSelectors = {
  resourceIds: string[];
  resourceGroups: { subscriptionId: string; resourceGroup: string }[];
  tag?: { key: string; value: string };
};

export type ParsedResourceId = {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  /** `Microsoft.Web/sites`; for child resources `Microsoft.Sql/servers/databases`. */
  type: string;
  name: string;
};

// /subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}[/{type}/{name}]...
const RESOURCE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/((?:[^/]+\/[^/]+)(?:\/[^/]+\/[^/]+)*)$/i;

/** Splits a full ARM resource id, or returns undefined when it is not one. */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const match = RESOURCE_ID.exec(id.trim().replace(/\/+$/, ''));
  if (!match) return undefined;
  const [, subscriptionId, resourceGroup, namespace, rest] = match;
  const segments = rest.split('/');
  const types: string[] = [];
  for (let i = 0; i < segments.length; i += 2) types.push(segments[i]);
  return {
    id: match[0],
    subscriptionId,
    resourceGroup,
    type: [namespace, ...types].join('/'),
    name: segments[segments.length - 1],
  };
}

/** Thrown when an annotation is present but cannot be understood. */
export class AnnotationError extends Error {
  constructor(annotation: string, problem: string) {
    super(`Annotation ${annotation} ${problem}`);
    this.name = 'AnnotationError';
  }
}

/**
 * The selectors the entity's annotations describe, or undefined when it has none of them.
 * Malformed values throw {@link AnnotationError}: silently ignoring one would show a card
 * with fewer resources than the owner meant.
 */
export function readResourceSelectors(
  entity: Entity,
): ResourceSelectors | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const ids = annotations[AZURE_RESOURCE_ID_ANNOTATION]?.trim();
  const group = annotations[AZURE_RESOURCE_GROUP_ANNOTATION]?.trim();
  const tag = annotations[AZURE_TAG_SELECTOR_ANNOTATION]?.trim();
  if (!ids && !group && !tag) return undefined;

  const selectors: ResourceSelectors = { resourceIds: [], resourceGroups: [] };
  for (const raw of (ids ?? '').split(',').map(s => s.trim())) {
    if (!raw) continue;
    const parsed = parseResourceId(raw);
    if (!parsed) {
      throw new AnnotationError(
        AZURE_RESOURCE_ID_ANNOTATION,
        `has "${raw}", which is not a full Azure resource id (/subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>)`,
      );
    }
    selectors.resourceIds.push(parsed.id);
  }
  if (group) {
    const match = /^([0-9a-fA-F-]{36})\/([-\w._()]+)$/.exec(group);
    if (!match) {
      throw new AnnotationError(
        AZURE_RESOURCE_GROUP_ANNOTATION,
        `has "${group}"; expected <subscriptionId>/<resourceGroup>`,
      );
    }
    selectors.resourceGroups.push({
      subscriptionId: match[1],
      resourceGroup: match[2],
    });
  }
  if (tag) {
    const eq = tag.indexOf('=');
    const key = eq > 0 ? tag.slice(0, eq).trim() : '';
    const value = eq > 0 ? tag.slice(eq + 1).trim() : '';
    if (!key || !value || key.includes("'") || value.includes("'")) {
      throw new AnnotationError(
        AZURE_TAG_SELECTOR_ANNOTATION,
        `has "${tag}"; expected key=value, for example backstage.io/kubernetes-id=payments-api`,
      );
    }
    selectors.tag = { key, value };
  }
  return selectors;
}

import { LabelSelector, MatchResources, ResourceRule } from './types';

/** Kubernetes label selector semantics: every matchLabels pair and every requirement hold. */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ??
    []) {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown label selector operator ${operator}`);
    }
  }
  return true;
}

/** A selector that selects everything, so no namespace need be known to apply it. */
export function selectsEverything(
  selector: LabelSelector | undefined,
): boolean {
  return (
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 &&
      (selector.matchExpressions ?? []).length === 0)
  );
}

export type AdmissionRequest = {
  group: string;
  version: string;
  resource: string;
  name: string;
  namespaced: boolean;
  operation: 'CREATE' | 'UPDATE';
};

const listed = (list: string[] | undefined, value: string) =>
  (list ?? []).some(item => item === '*' || item === value);

export function ruleMatches(
  rule: ResourceRule,
  req: AdmissionRequest,
): boolean {
  const scope = rule.scope ?? '*';
  return (
    listed(rule.apiGroups, req.group) &&
    listed(rule.apiVersions, req.version) &&
    listed(rule.operations, req.operation) &&
    // "*" is every resource, "*/*" every resource and subresource; the evaluator sees main
    // resources only, so "<plural>/*" also means the resource itself.
    (rule.resources ?? []).some(
      r =>
        r === '*' ||
        r === '*/*' ||
        r === req.resource ||
        r === `${req.resource}/*`,
    ) &&
    (!rule.resourceNames?.length || rule.resourceNames.includes(req.name)) &&
    (scope === '*' || (scope === 'Namespaced') === req.namespaced)
  );
}

/** Whether the resource rules of a policy's matchConstraints or a binding's matchResources allow a request. */
export function resourceRulesMatch(
  match: MatchResources | undefined,
  req: AdmissionRequest,
  required: boolean,
): boolean {
  const rules = match?.resourceRules;
  if (rules === undefined) {
    if (required) return false;
  } else if (!rules.some(r => ruleMatches(r, req))) {
    return false;
  }
  return !(match?.excludeResourceRules ?? []).some(r => ruleMatches(r, req));
}

import { exemptionAnnotation } from '@internal/plugin-platform-common';
import { compile, Compiled, Evaluated, toCel } from './cel';
import {
  AdmissionRequest,
  resourceRulesMatch,
  selectorMatches,
  selectsEverything,
} from './match';
import { PolicySet } from './policies';
import {
  defaultResourceKinds,
  MANIFEST_SET_API_VERSION,
  MANIFEST_SET_KIND,
  ResourceKind,
  ResourceKinds,
  splitApiVersion,
} from './resources';
import {
  GuardrailResult,
  KubeObject,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from './types';

/** The label the API server puts on every Namespace, which namespace selectors often use. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const TITLE_ANNOTATION = 'idp-portal/title';

export type EvaluateOptions = {
  /** Namespaces the objects go to that are not among them (their labels decide namespace selectors). */
  namespaces?: KubeObject[];
  /** Param objects in place of those of the policy files, matched by kind, namespace and name. */
  params?: KubeObject[];
};

type CompiledPolicy = {
  policy: ValidatingAdmissionPolicy;
  title: string;
  exemptable: boolean;
  matchConditions: Array<{ name: string; compiled: Compiled }>;
  variables: Array<{ name: string; compiled: Compiled }>;
  validations: Array<{
    compiled: Compiled;
    message?: string;
    messageExpression?: Compiled;
    reason?: string;
  }>;
};

type Outcome = Pick<GuardrailResult, 'status' | 'message' | 'reason'>;

const objectRef = (o: KubeObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  name: o.metadata.name,
});

function describe(o: KubeObject): string {
  const ns = o.metadata.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind} ${ns}${o.metadata.name}`;
}

/** The variables a validation reads, with the ones those read, in declaration order. */
function variableClosure(
  direct: Set<string>,
  variables: CompiledPolicy['variables'],
): Set<string> {
  const all = new Set(direct);
  for (let i = variables.length - 1; i >= 0; i--) {
    const v = variables[i];
    if (all.has(v.name) && v.compiled.ok)
      v.compiled.variables.forEach(n => all.add(n));
  }
  return all;
}

/**
 * Evaluates ValidatingAdmissionPolicies the way the API server does, before anything reaches
 * a cluster: the same policy files, the same matching, params, match conditions, variables,
 * validations and messages. Objects are evaluated as a CREATE, as written (the API server's
 * defaults are not applied).
 */
export class GuardrailEvaluator {
  private readonly policies: CompiledPolicy[];
  private readonly kinds: ResourceKinds;

  constructor(
    private readonly set: PolicySet,
    options: { resourceKinds?: ResourceKind[] } = {},
  ) {
    this.kinds = new ResourceKinds([
      ...defaultResourceKinds(),
      ...(options.resourceKinds ?? []),
    ]);
    this.policies = set.policies.map(policy => ({
      policy,
      title:
        policy.metadata.annotations?.[TITLE_ANNOTATION] ?? policy.metadata.name,
      exemptable: isExemptable(policy),
      matchConditions: (policy.spec.matchConditions ?? []).map(c => ({
        name: c.name,
        compiled: compile(c.expression),
      })),
      variables: (policy.spec.variables ?? []).map(v => ({
        name: v.name,
        compiled: compile(v.expression),
      })),
      validations: (policy.spec.validations ?? []).map(v => ({
        compiled: compile(v.expression),
        message: v.message,
        messageExpression: v.messageExpression
          ? compile(v.messageExpression)
          : undefined,
        reason: v.reason,
      })),
    }));
  }

  /**
   * Every rule's result for every object it applies to. The objects are one cluster's worth:
   * for rules over several objects, those of each namespace also go in as one ManifestSet.
   */
  evaluate(
    objects: KubeObject[],
    options: EvaluateOptions = {},
  ): GuardrailResult[] {
    const namespaces = new Map<string, KubeObject>();
    for (const ns of [...(options.namespaces ?? []), ...objects]) {
      if (ns.apiVersion === 'v1' && ns.kind === 'Namespace') {
        namespaces.set(ns.metadata.name, withNamespaceNameLabel(ns));
      }
    }
    const params = [...(options.params ?? []), ...this.set.objects];
    const results: GuardrailResult[] = [];
    for (const obj of [...objects, ...manifestSets(objects, this.kinds)]) {
      results.push(...this.evaluateObject(obj, namespaces, params));
    }
    return results;
  }

  private evaluateObject(
    raw: KubeObject,
    namespaces: Map<string, KubeObject>,
    params: KubeObject[],
  ): GuardrailResult[] {
    const obj =
      raw.apiVersion === 'v1' && raw.kind === 'Namespace'
        ? withNamespaceNameLabel(raw)
        : raw;
    const { group, version } = splitApiVersion(obj.apiVersion);
    const kind = this.kinds.find(obj);
    const results: GuardrailResult[] = [];
    for (const cp of this.policies) {
      const bindings = this.set.bindings.filter(
        b => b.spec.policyName === cp.policy.metadata.name,
      );
      if (bindings.length === 0) continue;
      const emit = (
        binding: ValidatingAdmissionPolicyBinding,
        outcomes: Outcome[] | Outcome,
        target: KubeObject = obj,
      ) => {
        cp.validations.forEach((_, i) => {
          const outcome = Array.isArray(outcomes) ? outcomes[i] : outcomes;
          results.push({
            ...outcome,
            rule: `${cp.policy.metadata.name}[${i}]`,
            policy: cp.policy.metadata.name,
            validation: i,
            title: cp.title,
            binding: binding.metadata.name,
            actions: binding.spec.validationActions,
            object: objectRef(target),
          });
        });
      };
      if (!kind) {
        // Without the resource name the rules cannot be matched; say so where they might apply.
        const maybe = (
          cp.policy.spec.matchConstraints.resourceRules ?? []
        ).some(r => (r.apiGroups ?? []).some(g => g === '*' || g === group));
        if (maybe) {
          for (const b of bindings) {
            emit(b, {
              status: 'not-checked',
              message: `The evaluator does not know the resource name of ${
                obj.apiVersion
              } ${
                obj.kind
              }, so it cannot tell whether this policy applies to ${describe(
                obj,
              )}.`,
            });
          }
        }
        continue;
      }
      const request: AdmissionRequest = {
        group,
        version,
        resource: kind.plural,
        name: obj.metadata.name,
        namespaced: kind.namespaced,
        operation: 'CREATE',
      };
      const namespaceName = kind.namespaced
        ? obj.metadata.namespace
        : undefined;
      const namespaceObject = namespaceName
        ? namespaces.get(namespaceName)
        : undefined;
      const constraints = cp.policy.spec.matchConstraints;
      if (!resourceRulesMatch(constraints, request, true)) continue;
      for (const binding of bindings) {
        const match = binding.spec.matchResources;
        if (!resourceRulesMatch(match, request, false)) continue;
        const selected = [constraints, match].map(m =>
          this.selects(m, obj, kind, namespaceName, namespaceObject),
        );
        if (selected.includes(false)) continue;
        const unknown = selected.find(
          (s): s is string => typeof s === 'string',
        );
        if (unknown) {
          emit(binding, { status: 'not-checked', message: unknown });
          continue;
        }
        const paramObjects = this.findParams(cp.policy, binding, obj, params);
        if (typeof paramObjects === 'string') {
          emit(binding, { status: 'failed', message: paramObjects });
          continue;
        }
        for (const param of paramObjects) {
          const outcomes = this.run(cp, {
            object: toCel(obj),
            oldObject: null,
            params: param === null ? null : toCel(param),
            namespaceObject: namespaceObject ? toCel(namespaceObject) : null,
            request: toCel({
              operation: request.operation,
              kind: { group, version, kind: obj.kind },
              resource: { group, version, resource: kind.plural },
              name: obj.metadata.name,
              namespace: namespaceName ?? '',
              dryRun: false,
            }),
          });
          if (outcomes) emit(binding, outcomes);
          else {
            const justification =
              cp.exemptable && exemption(obj, cp.policy.metadata.name);
            if (justification) {
              emit(binding, { status: 'exempted', message: justification });
            }
          }
          if (outcomes && cp.exemptable && obj.kind === MANIFEST_SET_KIND) {
            // A rule over a set leaves out the items exempt from it; report them as exempted.
            for (const item of (obj.items as KubeObject[]) ?? []) {
              const justification = exemption(item, cp.policy.metadata.name);
              if (justification) {
                emit(
                  binding,
                  { status: 'exempted', message: justification },
                  item,
                );
              }
            }
          }
        }
      }
    }
    return results;
  }

  /** true, false, or why it cannot be told (the namespace is not known). */
  private selects(
    match: ValidatingAdmissionPolicy['spec']['matchConstraints'] | undefined,
    obj: KubeObject,
    kind: ResourceKind,
    namespaceName: string | undefined,
    namespaceObject: KubeObject | undefined,
  ): boolean | string {
    if (!selectorMatches(match?.objectSelector, obj.metadata.labels))
      return false;
    const selector = match?.namespaceSelector;
    if (selectsEverything(selector)) return true;
    // A Namespace is selected by its own labels; other cluster-scoped objects always are.
    if (obj.apiVersion === 'v1' && obj.kind === 'Namespace') {
      return selectorMatches(selector, obj.metadata.labels);
    }
    if (!kind.namespaced) return true;
    if (!namespaceObject) {
      return namespaceName
        ? `The namespace ${namespaceName} of ${describe(
            obj,
          )} is not among the objects evaluated, so its labels, which decide whether this rule applies, are unknown.`
        : `${describe(
            obj,
          )} has no namespace yet, so whether this rule applies (it selects namespaces by label) is unknown.`;
    }
    return selectorMatches(selector, namespaceObject.metadata.labels);
  }

  /** The param objects to evaluate with (null: no paramKind), or why the binding fails. */
  private findParams(
    policy: ValidatingAdmissionPolicy,
    binding: ValidatingAdmissionPolicyBinding,
    obj: KubeObject,
    params: KubeObject[],
  ): Array<KubeObject | null> | string {
    const paramKind = policy.spec.paramKind;
    if (!paramKind) return [null];
    const ref = binding.spec.paramRef;
    if (!ref) {
      return `Binding ${binding.metadata.name} has no paramRef, but policy ${policy.metadata.name} takes ${paramKind.kind} params; the cluster refuses every request it matches.`;
    }
    const kind = this.kinds.find(paramKind);
    const namespace = kind?.namespaced
      ? ref.namespace ?? obj.metadata.namespace
      : undefined;
    const found = params.filter(
      p =>
        p.apiVersion === paramKind.apiVersion &&
        p.kind === paramKind.kind &&
        p.metadata.namespace === namespace &&
        (ref.name
          ? p.metadata.name === ref.name
          : selectorMatches(ref.selector, p.metadata.labels)),
    );
    // Param objects given to evaluate() replace the files' own of the same name.
    const unique = found.filter(
      (p, i) => found.findIndex(q => q.metadata.name === p.metadata.name) === i,
    );
    if (unique.length > 0) return unique;
    if (ref.parameterNotFoundAction === 'Allow') return [];
    const what = ref.name
      ? `${paramKind.kind} ${namespace ? `${namespace}/` : ''}${ref.name}`
      : `a ${paramKind.kind} matching the binding's selector`;
    return `The params of binding ${binding.metadata.name} (${what}) do not exist, and the binding denies when they are missing.`;
  }

  /** Match conditions, then variables, then validations; undefined when the policy does not apply. */
  private run(
    cp: CompiledPolicy,
    bindings: Record<string, unknown>,
  ): Outcome[] | Outcome | undefined {
    const fail = cp.policy.spec.failurePolicy !== 'Ignore';
    const onError = (
      what: string,
      error: string,
      unsupported?: boolean,
    ): Outcome => {
      if (unsupported) {
        return { status: 'not-checked', message: `${what} ${error}` };
      }
      return fail
        ? {
            status: 'failed',
            message: `${what} fails to evaluate (${error}); with failurePolicy Fail the cluster refuses the object.`,
          }
        : {
            status: 'not-checked',
            message: `${what} fails to evaluate (${error}); with failurePolicy Ignore the cluster lets the object through.`,
          };
    };

    let conditionError: Outcome | undefined;
    for (const { name, compiled } of cp.matchConditions) {
      if (!compiled.ok) {
        return {
          status: 'not-checked',
          message: `The match condition ${name} ${compiled.unsupported}.`,
        };
      }
      const r = compiled.run(bindings);
      if (r.ok && r.value === false) return undefined;
      if (!r.ok)
        conditionError ??= onError(
          `The match condition ${name}`,
          r.error,
          r.unsupported,
        );
      else if (r.value !== true)
        conditionError ??= onError(
          `The match condition ${name}`,
          'it is not a bool',
        );
    }
    // A false condition skips the policy even when another one errs.
    if (conditionError) return conditionError;

    const values: Record<string, unknown> = {};
    const problems = new Map<string, Outcome>();
    for (const { name, compiled } of cp.variables) {
      if (!compiled.ok) {
        problems.set(name, {
          status: 'not-checked',
          message: `The variable ${name} ${compiled.unsupported}.`,
        });
        continue;
      }
      const inherited = [...compiled.variables].find(v => problems.has(v));
      if (inherited) {
        problems.set(name, problems.get(inherited)!);
        continue;
      }
      const r = compiled.run({ ...bindings, variables: values });
      if (r.ok) values[name] = r.value;
      else
        problems.set(
          name,
          onError(`The variable ${name}`, r.error, r.unsupported),
        );
    }

    const scope = { ...bindings, variables: values };
    return cp.validations.map(v => {
      if (!v.compiled.ok) {
        return {
          status: 'not-checked',
          message: `This rule ${v.compiled.unsupported}.`,
        };
      }
      const needed = variableClosure(v.compiled.variables, cp.variables);
      const inherited = [...needed].map(n => problems.get(n)).find(Boolean);
      if (inherited) return inherited;
      const r: Evaluated = v.compiled.run(scope);
      if (!r.ok) return onError('This rule', r.error, r.unsupported);
      if (r.value === true) return { status: 'passed', message: '' };
      if (r.value !== false) return onError('This rule', 'it is not a bool');
      return {
        status: 'failed',
        message: this.message(v, scope),
        reason: v.reason ?? 'Invalid',
      };
    });
  }

  private message(
    v: CompiledPolicy['validations'][number],
    scope: Record<string, unknown>,
  ): string {
    if (v.messageExpression?.ok) {
      const r = v.messageExpression.run(scope);
      // As in the cluster: an empty, multi-line or failing message expression falls back.
      if (
        r.ok &&
        typeof r.value === 'string' &&
        r.value.trim() &&
        !r.value.includes('\n')
      ) {
        return r.value.trim();
      }
    }
    return v.message?.trim() || `failed expression: ${v.compiled.source}`;
  }
}

/** Whether the policy skips what carries its exemption annotation (it names the key). */
export function isExemptable(policy: ValidatingAdmissionPolicy): boolean {
  return JSON.stringify(policy.spec).includes(
    exemptionAnnotation(policy.metadata.name),
  );
}

/** The object's written justification for an exemption from `policy`, if it has one. */
function exemption(obj: KubeObject, policy: string): string | undefined {
  const value = obj.metadata.annotations?.[exemptionAnnotation(policy)];
  return value?.trim() ? value.trim() : undefined;
}

function withNamespaceNameLabel(ns: KubeObject): KubeObject {
  return {
    ...ns,
    metadata: {
      ...ns.metadata,
      labels: {
        ...ns.metadata.labels,
        [NAMESPACE_NAME_LABEL]: ns.metadata.name,
      },
    },
  };
}

/** One ManifestSet per namespace of the namespaced objects, holding them in `items`. */
function manifestSets(
  objects: KubeObject[],
  kinds: ResourceKinds,
): KubeObject[] {
  const byNamespace = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const ns = o.metadata.namespace;
    if (!ns || kinds.find(o)?.namespaced === false) continue;
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), o]);
  }
  return [...byNamespace].map(([ns, items]) => ({
    apiVersion: MANIFEST_SET_API_VERSION,
    kind: MANIFEST_SET_KIND,
    metadata: { name: ns, namespace: ns },
    items,
  }));
}

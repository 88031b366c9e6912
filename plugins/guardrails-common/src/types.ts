/** A Kubernetes object as it is written: only the fields every object has are typed. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
};

export type LabelSelectorRequirement = {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
};

export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
};

export type ResourceRule = {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
  resourceNames?: string[];
  scope?: 'Cluster' | 'Namespaced' | '*';
};

export type MatchResources = {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  resourceRules?: ResourceRule[];
  excludeResourceRules?: ResourceRule[];
  matchPolicy?: 'Exact' | 'Equivalent';
};

export type NamedExpression = { name: string; expression: string };

export type Validation = {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
};

/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy, the fields the evaluator reads. */
export type ValidatingAdmissionPolicy = {
  apiVersion: 'admissionregistration.k8s.io/v1';
  kind: 'ValidatingAdmissionPolicy';
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    failurePolicy?: 'Fail' | 'Ignore';
    paramKind?: { apiVersion: string; kind: string };
    matchConstraints: MatchResources;
    matchConditions?: NamedExpression[];
    variables?: NamedExpression[];
    validations?: Validation[];
  };
};

export type ValidationAction = 'Deny' | 'Warn' | 'Audit';

/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding, the fields the evaluator reads. */
export type ValidatingAdmissionPolicyBinding = {
  apiVersion: 'admissionregistration.k8s.io/v1';
  kind: 'ValidatingAdmissionPolicyBinding';
  metadata: { name: string };
  spec: {
    policyName: string;
    validationActions: ValidationAction[];
    matchResources?: MatchResources;
    paramRef?: {
      name?: string;
      namespace?: string;
      selector?: LabelSelector;
      parameterNotFoundAction?: 'Allow' | 'Deny';
    };
  };
};

/**
 * What became of one rule (a validation of a policy, through one binding) for one object.
 * `not-checked`: the evaluator could not decide it; the cluster still will.
 * `exempted`: the object carries the policy's exemption annotation, and the policy skips it.
 */
export type GuardrailStatus = 'passed' | 'failed' | 'exempted' | 'not-checked';

export type GuardrailResult = {
  status: GuardrailStatus;
  /** `<policy>[<validation index>]`, the rule's name in docs/guardrails.md. */
  rule: string;
  policy: string;
  validation: number;
  /** The policy's idp-portal/title annotation. */
  title: string;
  binding: string;
  /** What the cluster does when this rule fails: refuse (Deny), or warn and audit. */
  actions: ValidationAction[];
  object: {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
  };
  /** For a failure, what to change; for not-checked, why; for exempted, the justification. */
  message: string;
  reason?: string;
};

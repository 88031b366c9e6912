import { z } from 'zod/v3';
import { MIN_JUSTIFICATION_LENGTH, RESOURCE_KINDS } from '@internal/plugin-platform-common';
import { entityName, explainInvalidName } from './names';
import { checkName, NameContext, NameProblem, NameRole } from './nameRules';

const SIZES = ['small', 'medium', 'large'] as const;
export type Size = (typeof SIZES)[number];

/** The kinds of workload a golden path produces; they differ in probes and exposure. */
const WORKLOAD_TYPES = ['http', 'grpc', 'worker', 'frontend'] as const;

/** Self-service cloud resources, one Crossplane composite kind each (platform/crossplane). */
export { RESOURCE_KINDS } from '@internal/plugin-platform-common';
export type { ResourceKind } from '@internal/plugin-platform-common';

export const dnsName = (what: string) =>
  z.string().superRefine((value, ctx) => {
    const problem = explainInvalidName(value);
    if (problem) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `${what} "${value}" ${problem}`,
      });
    }
  });

/**
 * A name checked by {@link checkName} without configuration: every rule but the ones that
 * depend on the configured environments and reserved names, which the actions check again
 * with their configuration before any side effect.
 */
const nameOf = (role: NameRole) =>
  z.string().superRefine((value, ctx) => {
    for (const problem of checkName(value, role)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem.message });
    }
  });

/**
 * Templates send "" for a field the user left blank: that means "not given",
 * so an optional field stays unset and a default applies.
 */
export const blankAsUnset = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess(value => (value === '' || value === null ? undefined : value), schema);

/**
 * A string in a format, checked by a refinement rather than a JSON Schema
 * `pattern`: the scaffolder checks action input against the JSON Schema made
 * from these schemas, and there a blank must pass and a bad value should fail
 * with our words, not a regular expression.
 */
const formatted = (test: (value: string) => boolean, message: string) =>
  z.string().refine(test, { message });

// A function, so each field has its own schema and its own JSON Schema, not a $ref to another field.
const entityRef = () =>
  formatted(
    ref => /^[a-z]+:[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/i.test(ref),
    'must be an entity reference such as group:default/payments-team',
  );

const isUrl = (value: string) => {
  try {
    return Boolean(new URL(value));
  } catch {
    return false;
  }
};

export const resourceRequestSchema = z
  .object({
    kind: z.enum(RESOURCE_KINDS).describe('Database, Cache, Queue or DocumentDatabase'),
    name: z.string().describe('Resource name (DNS-1123 label); also the Azure names of its kind'),
    size: blankAsUnset(z.enum(SIZES).default('small')),
  })
  // Object-level: what a resource's name becomes in Azure depends on its kind.
  .superRefine((resource, ctx) => {
    for (const problem of checkName(resource.name, 'resource', { kind: resource.kind })) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['name'], message: problem.message });
    }
  });
export type ResourceRequest = z.infer<typeof resourceRequestSchema>;

/**
 * An exemption from one guardrail (a ValidatingAdmissionPolicy of platform/policies), with
 * the reason; written as an annotation on every object of the service and recorded in the
 * commit. Whether the policy allows exemptions is decided by the check step, from the files.
 */
export const exemptionRequestSchema = z
  .object({
    policy: z.string().describe('The policy, e.g. guardrails-probes'),
    justification: z
      .string()
      .default('')
      .describe('Why the service cannot follow the rule yet, and until when'),
  })
  .superRefine((exemption, ctx) => {
    if (exemption.justification.trim().length < MIN_JUSTIFICATION_LENGTH) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['justification'],
        message: `The exemption from ${exemption.policy} needs a written justification of at least ${MIN_JUSTIFICATION_LENGTH} characters: why the service cannot follow the rule, and until when. Nothing was committed.`,
      });
    }
  });
export type ExemptionRequest = z.infer<typeof exemptionRequestSchema>;

/** A golden-path request: the form's answers, as the scaffolder actions take them. */
export const serviceRequestSchema = z.object({
  name: nameOf('service').describe(
    'Service name: a DNS-1035 label of at most 63 characters, not a system namespace',
  ),
  owner: entityRef()
    .refine(ref => ref.toLowerCase().startsWith('group:'), {
      message:
        'must be a team (a Group), because the team owns the ArgoCD project',
    })
    .describe('Owning team, e.g. group:default/payments-team'),
  system: blankAsUnset(entityRef().optional().describe('System entity reference')),
  description: blankAsUnset(z.string().max(500).optional()),
  type: blankAsUnset(
    z.enum(WORKLOAD_TYPES).default('http').describe('http, grpc, worker or frontend'),
  ),
  port: blankAsUnset(z.number().int().min(1024).max(65535).default(8080)),
  size: blankAsUnset(z.enum(SIZES).default('small')),
  imageRepository: blankAsUnset(dnsName('Image repository').optional()),
  imageTag: blankAsUnset(
    formatted(
      tag => /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag),
      'must be a valid image tag',
    ).default('latest'),
  ),
  ingressHost: blankAsUnset(
    formatted(
      host => /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/.test(host),
      'must be a host name such as payments.contoso.example',
    )
      .optional()
      .describe('Host name of the Ingress; none when not given'),
  ),
  environments: blankAsUnset(
    z.array(z.string()).min(1).optional().describe('Environments to deploy to; all when not given'),
  ),
  resources: blankAsUnset(z.array(resourceRequestSchema).default([])),
  sourceRepoUrl: blankAsUnset(formatted(isUrl, 'must be a URL').optional()),
  exemptions: blankAsUnset(
    z
      .array(exemptionRequestSchema)
      .default([])
      .describe('Guardrails this service is exempt from, each with a written justification'),
  ),
});
export type ServiceRequest = z.infer<typeof serviceRequestSchema>;

/** Zod messages joined into one sentence per problem, with the field named. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map(issue => {
      const field = issue.path.join('.');
      return field && !issue.message.includes('"')
        ? `${field} ${issue.message}`
        : issue.message;
    })
    .reduce((text, message) => {
      if (!text) return message;
      // checkName's messages are whole sentences; the others are clauses.
      return `${text}${text.endsWith('.') ? ' ' : '; '}${message}`;
    }, '');
}

/**
 * Every name a service request gives, checked with the configured context: the service (with
 * the configured environments and reserved names), its team's ArgoCD AppProject and each
 * resource for its kind. The actions call it before any side effect.
 */
export function checkServiceRequestNames(
  req: Pick<ServiceRequest, 'name' | 'owner' | 'resources'>,
  context: NameContext,
): NameProblem[] {
  const problems = [
    ...checkName(req.name, 'service', context),
    ...checkName(entityName(req.owner), 'team', context),
    ...req.resources.flatMap(r => checkName(r.name, 'resource', { ...context, kind: r.kind })),
  ];
  const seen = new Set<string>();
  for (const { name } of req.resources) {
    if (seen.has(name)) {
      problems.push({
        rule: 'duplicate',
        objects: ['connection Secret', 'catalog Resource'],
        message: `Resource name "${name}" is given twice; each resource of a service needs its own name, because its connection Secret ${name}-connection and its catalog Resource are named after it.`,
      });
    }
    seen.add(name);
  }
  return problems;
}

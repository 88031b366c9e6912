import { z } from 'zod/v3';
import { RESOURCE_KINDS } from '@internal/plugin-platform-common';
import { explainInvalidName } from './names';

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

export const resourceRequestSchema = z.object({
  kind: z.enum(RESOURCE_KINDS).describe('Database, Cache, Queue or DocumentDatabase'),
  name: dnsName('Resource name').describe('Resource name (DNS-1123 label)'),
  size: blankAsUnset(z.enum(SIZES).default('small')),
});
export type ResourceRequest = z.infer<typeof resourceRequestSchema>;

/** A golden-path request: the form's answers, as the scaffolder actions take them. */
export const serviceRequestSchema = z.object({
  name: dnsName('Service name').describe('Service name (DNS-1123 label, at most 63 characters)'),
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
    .join('; ');
}

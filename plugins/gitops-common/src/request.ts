import { z } from 'zod/v3';
import { RESOURCE_KINDS } from '@internal/plugin-platform-common';
import { explainInvalidName } from './names';

export const SIZES = ['small', 'medium', 'large'] as const;
export type Size = (typeof SIZES)[number];

/** The kinds of workload a golden path produces; they differ in probes and exposure. */
export const WORKLOAD_TYPES = ['http', 'grpc', 'worker', 'frontend'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];

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

const entityRef = z
  .string()
  .regex(
    /^[a-z]+:[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/i,
    'must be an entity reference such as group:default/payments-team',
  );

export const resourceRequestSchema = z.object({
  kind: z.enum(RESOURCE_KINDS),
  name: dnsName('Resource name'),
  size: z.enum(SIZES).default('small'),
});
export type ResourceRequest = z.infer<typeof resourceRequestSchema>;

export const serviceRequestSchema = z.object({
  name: dnsName('Service name'),
  owner: entityRef.refine(ref => ref.toLowerCase().startsWith('group:'), {
    message:
      'must be a team (a Group), because the team owns the ArgoCD project',
  }),
  system: entityRef.optional(),
  description: z.string().max(500).optional(),
  type: z.enum(WORKLOAD_TYPES).default('http'),
  port: z.number().int().min(1024).max(65535).default(8080),
  size: z.enum(SIZES).default('small'),
  imageRepository: dnsName('Image repository').optional(),
  imageTag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be a valid image tag')
    .default('latest'),
  ingressHost: z
    .string()
    .regex(
      /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/,
      'must be a host name such as payments.contoso.example',
    )
    .optional(),
  environments: z.array(z.string()).min(1).optional(),
  resources: z.array(resourceRequestSchema).default([]),
  sourceRepoUrl: z.string().url().optional(),
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

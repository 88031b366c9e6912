import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';
import { RESOURCE_KINDS } from '@internal/plugin-gitops-common';

/** `ui:options` of a GitOpsName field: what the name is the name of. */
export const GitOpsNameFieldSchema = makeFieldSchema({
  output: z => z.string(),
  uiOptions: z =>
    z.object({
      role: z
        .enum(['service', 'resource', 'team'])
        .optional()
        .describe('What the name names; service when not given'),
      kind: z
        .enum(RESOURCE_KINDS)
        .optional()
        .describe(
          'For a resource: its Crossplane kind, which decides its Azure names',
        ),
    }),
});

export type GitOpsNameFieldProps = typeof GitOpsNameFieldSchema.TProps;
export type GitOpsNameUiOptions = NonNullable<
  GitOpsNameFieldProps['uiSchema']['ui:options']
>;

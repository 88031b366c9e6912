import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';

/** `ui:options` of a GitOpsPreview field: the workload type the template's check step sets. */
export const GitOpsPreviewFieldSchema = makeFieldSchema({
  output: z => z.string(),
  uiOptions: z =>
    z.object({
      serviceType: z
        .enum(['http', 'grpc', 'worker', 'frontend'])
        .describe("The `type` of the template's gitops:service:check step"),
    }),
});

export type GitOpsPreviewFieldProps = typeof GitOpsPreviewFieldSchema.TProps;

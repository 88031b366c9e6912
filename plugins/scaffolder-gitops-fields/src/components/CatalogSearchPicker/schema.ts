import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';

/** `ui:options` of a CatalogSearchPicker: which entities it offers, as EntityPicker's. */
export const CatalogSearchPickerSchema = makeFieldSchema({
  output: z => z.string(),
  uiOptions: z =>
    z.object({
      catalogFilter: z
        .record(z.union([z.string(), z.array(z.string())]))
        .optional()
        .describe('Catalog filter of the entities offered, e.g. kind: Component'),
      defaultKind: z
        .string()
        .optional()
        .describe('Kind left out of the entity refs shown'),
      limit: z
        .number()
        .optional()
        .describe('How many matches one search shows; 20 when not given'),
    }),
});

export type CatalogSearchPickerProps = typeof CatalogSearchPickerSchema.TProps;

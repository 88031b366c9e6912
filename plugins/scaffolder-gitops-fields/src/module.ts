import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';

/** `ui:field: GitOpsName` in a template: a name checked as the gitops actions check it. */
export const gitopsNameFormField = FormFieldBlueprint.make({
  name: 'gitops-name',
  params: {
    field: () => import('./field').then(m => m.gitopsNameField),
  },
});

/**
 * `ui:field: GitOpsPreview`, on a service path's last page: the files and each guardrail's
 * result, from the check the Create step runs.
 */
export const gitopsPreviewFormField = FormFieldBlueprint.make({
  name: 'gitops-preview',
  params: {
    field: () => import('./field').then(m => m.gitopsPreviewField),
  },
});

/**
 * `ui:field: CatalogSearchPicker`: an entity picker that searches the catalog as the user
 * types, for filters that match thousands of entities (every Component).
 */
export const catalogSearchPickerFormField = FormFieldBlueprint.make({
  name: 'catalog-search-picker',
  params: {
    field: () => import('./field').then(m => m.catalogSearchPickerField),
  },
});

export const scaffolderGitOpsFieldsModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [
    gitopsNameFormField,
    gitopsPreviewFormField,
    catalogSearchPickerFormField,
  ],
});

import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  CatalogSearchPicker,
  CatalogSearchPickerSchema,
} from './components/CatalogSearchPicker';
import {
  GitOpsNameField,
  GitOpsNameFieldSchema,
  validateGitOpsName,
} from './components/GitOpsNameField';
import {
  GitOpsPreviewField,
  GitOpsPreviewFieldSchema,
  validateGitOpsPreview,
} from './components/GitOpsPreviewField';

export const gitopsNameField = createFormField({
  // What templates write as `ui:field` (templates/*/template.yaml).
  name: 'GitOpsName',
  component: GitOpsNameField,
  schema: GitOpsNameFieldSchema,
  validation: validateGitOpsName,
});

export const gitopsPreviewField = createFormField({
  name: 'GitOpsPreview',
  component: GitOpsPreviewField,
  schema: GitOpsPreviewFieldSchema,
  validation: validateGitOpsPreview,
});

export const catalogSearchPickerField = createFormField({
  name: 'CatalogSearchPicker',
  component: CatalogSearchPicker,
  schema: CatalogSearchPickerSchema,
});

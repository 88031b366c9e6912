import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  GitOpsNameField,
  GitOpsNameFieldSchema,
  validateGitOpsName,
} from './components/GitOpsNameField';

export const gitopsNameField = createFormField({
  // What templates write as `ui:field` (templates/*/template.yaml).
  name: 'GitOpsName',
  component: GitOpsNameField,
  schema: GitOpsNameFieldSchema,
  validation: validateGitOpsName,
});

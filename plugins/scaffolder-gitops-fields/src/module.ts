import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';

/** `ui:field: GitOpsName` in a template: a name checked as the gitops actions check it. */
export const gitopsNameFormField = FormFieldBlueprint.make({
  name: 'gitops-name',
  params: {
    field: () => import('./field').then(m => m.gitopsNameField),
  },
});

export const scaffolderGitOpsFieldsModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [gitopsNameFormField],
});

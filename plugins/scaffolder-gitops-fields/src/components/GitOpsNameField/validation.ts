import { configApiRef } from '@backstage/frontend-plugin-api';
import { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import {
  checkName,
  NameProblem,
  NamingConfigReader,
  readNamingContext,
} from '@internal/plugin-gitops-common';
import { GitOpsNameUiOptions } from './schema';

/** The same check the gitops actions make on the server, with the same configuration. */
export function nameProblems(
  value: string | undefined,
  options: GitOpsNameUiOptions | undefined,
  config: NamingConfigReader | undefined,
): NameProblem[] {
  if (!value) return [];
  const context = config ? readNamingContext(config) : {};
  return checkName(value, options?.role ?? 'service', {
    ...context,
    kind: options?.kind,
  });
}

/** The field's validation: every broken rule is an error of the field, and the form does not go on. */
export const validateGitOpsName: CustomFieldValidator<
  string,
  GitOpsNameUiOptions
> = (value, validation, context) => {
  const problems = nameProblems(
    value,
    context.uiSchema?.['ui:options'],
    context.apiHolder.get(configApiRef),
  );
  for (const problem of problems) validation.addError(problem.message);
};

import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import TextField from '@material-ui/core/TextField';
import { GitOpsNameFieldProps } from './schema';
import { nameProblems } from './validation';

/**
 * A name field that says, while the user types, which object would reject the name and
 * why, with a valid name to use instead; the form's validation refuses the same names.
 */
export const GitOpsNameField = (props: GitOpsNameFieldProps) => {
  const {
    onChange,
    required,
    formData,
    rawErrors,
    schema: { title, description },
    uiSchema,
    idSchema,
    placeholder,
  } = props;
  const config = useApi(configApiRef);
  const problems = nameProblems(formData, uiSchema['ui:options'], config);
  return (
    <TextField
      id={idSchema?.$id}
      label={title}
      placeholder={placeholder}
      helperText={
        problems.length > 0
          ? problems.map(p => p.message).join(' ')
          : description
      }
      required={required}
      value={formData ?? ''}
      onChange={event => onChange(event.target.value)}
      margin="normal"
      error={problems.length > 0 || (rawErrors?.length ?? 0) > 0}
      inputProps={{
        autoFocus: uiSchema['ui:autofocus'],
        'aria-describedby': `${idSchema?.$id}-helper-text`,
      }}
      FormHelperTextProps={{ id: `${idSchema?.$id}-helper-text` }}
    />
  );
};

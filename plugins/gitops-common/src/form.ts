/**
 * The `gitops:service:check` input a service golden path builds from its form, as the
 * templates write it (templates/<service path>/template.yaml; templates.test.ts holds them to
 * it), so the review's preview asks about exactly what the check step will.
 */
export function serviceRequestFromForm(
  form: Record<string, unknown>,
  type: string,
): Record<string, unknown> {
  return {
    name: form.name,
    owner: form.owner,
    system: form.system,
    description: form.description,
    type,
    port: form.port,
    size: form.size,
    environments: form.environments,
    exemptions: form.exemptions,
    ...('ingressHost' in form ? { ingressHost: form.ingressHost } : {}),
    resources: form.database
      ? [{ kind: 'Database', name: `${form.name}-db`, size: form.size }]
      : [],
  };
}

/** The template expressions serviceRequestFromForm stands for, by input key. */
export const SERVICE_CHECK_INPUT_EXPRESSIONS: Record<string, string> = {
  name: '${{ parameters.name }}',
  owner: '${{ parameters.owner }}',
  system: '${{ parameters.system }}',
  description: '${{ parameters.description }}',
  port: '${{ parameters.port }}',
  size: '${{ parameters.size }}',
  environments: '${{ parameters.environments }}',
  exemptions: '${{ parameters.exemptions }}',
  ingressHost: '${{ parameters.ingressHost }}',
  resources:
    '${{ [{ "kind": "Database", "name": parameters.name ~ "-db", "size": parameters.size }] if parameters.database else [] }}',
};

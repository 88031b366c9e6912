import { configApiRef } from '@backstage/frontend-plugin-api';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { GitOpsNameField } from './GitOpsNameField';
import { validateGitOpsName } from './validation';

/** The field as the scaffolder form renders it: controlled, with the template's schema. */
function Field(props: { initial?: string; options?: object }) {
  const [value, setValue] = useState<string | undefined>(props.initial);
  const field = {
    onChange: setValue,
    formData: value,
    required: true,
    rawErrors: [],
    schema: { title: 'Name', description: 'Used for every Kubernetes object.' },
    uiSchema: { 'ui:options': props.options ?? {} },
    idSchema: { $id: 'root_name' },
  };
  return <GitOpsNameField {...(field as any)} />;
}

describe('GitOpsNameField', () => {
  it("shows a reserved name's rule while the user types", async () => {
    await renderInTestApp(<Field />);
    expect(
      screen.getByText('Used for every Kubernetes object.'),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/Name/), {
      target: { value: 'kube-system' },
    });
    expect(
      screen.getByText(
        /Service name "kube-system" is reserved: Kubernetes keeps the kube- prefix for its system namespaces/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText(/Name/)).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    fireEvent.change(screen.getByLabelText(/Name/), {
      target: { value: 'payments-api' },
    });
    expect(
      screen.getByText('Used for every Kubernetes object.'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText(/Name/)).toHaveAttribute(
      'aria-invalid',
      'false',
    );
  });

  it('refuses the names the platform team reserved in app-config, and bounds by its environments', async () => {
    await renderInTestApp(<Field initial="legacy-billing" />, {
      config: {
        gitops: {
          reservedNames: ['legacy-billing'],
          environments: [{ name: 'production', cluster: 'aks-prod' }],
        },
      },
    });
    expect(
      screen.getByText(
        /is reserved: the platform team keeps it for the platform \(gitops\.reservedNames\)/,
      ),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/Name/), {
      target: { value: 'p'.repeat(53) },
    });
    expect(
      screen.getByText(
        /with the environments production a service name has at most 52/,
      ),
    ).toBeInTheDocument();
  });

  it("checks a resource name for its kind's Azure names", async () => {
    await renderInTestApp(
      <Field
        initial="orders--cache"
        options={{ role: 'resource', kind: 'Cache' }}
      />,
    );
    expect(
      screen.getByText(
        /Azure Cache for Redis "redis-<uid>-orders--cache".*must not contain "--"/,
      ),
    ).toBeInTheDocument();
  });
});

describe('validateGitOpsName', () => {
  const apiHolder = (data: object) => {
    const config = mockApis.config({ data });
    return {
      get: (ref: { id: string }) =>
        ref.id === configApiRef.id ? config : undefined,
    } as any;
  };

  it('adds the rule of a reserved name as an error, so the form does not go on', () => {
    const addError = jest.fn();
    validateGitOpsName('argocd', { addError } as any, {
      apiHolder: apiHolder({}),
      formData: {},
      schema: {},
    });
    expect(addError).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Service name "argocd" is reserved: ArgoCD runs in argocd/,
      ),
    );
  });

  it('adds nothing for a valid name', () => {
    const addError = jest.fn();
    validateGitOpsName('payments-api', { addError } as any, {
      apiHolder: apiHolder({}),
      formData: {},
      schema: {},
    });
    expect(addError).not.toHaveBeenCalled();
  });

  it('uses the options of the template: a team name for its AppProject', () => {
    const addError = jest.fn();
    validateGitOpsName('default', { addError } as any, {
      apiHolder: apiHolder({}),
      formData: {},
      schema: {},
      uiSchema: { 'ui:options': { role: 'team' } },
    });
    expect(addError).toHaveBeenCalledWith(
      expect.stringContaining("ArgoCD's built-in AppProject"),
    );
  });
});

import {
  defaultPlatformConfig,
  renderService,
  serviceRequestSchema,
} from '@internal/plugin-gitops-common';
import { renderChecked } from '../actions/plan';
import { checkGuardrails } from '@internal/plugin-guardrails-node';
import { ManifestValidator } from './ManifestValidator';

const platform = defaultPlatformConfig({
  gitopsRepoUrl: 'https://github.com/contoso/gitops.git',
});
const validator = ManifestValidator.fromDirectory();
const request = (overrides: object) =>
  serviceRequestSchema.parse({
    name: 'shop',
    owner: 'group:default/payments-team',
    ...overrides,
  });

describe('checkGuardrails', () => {
  it('lets a golden path through with the guardrails of platform/policies, warnings included', () => {
    const files = renderChecked(request({}), platform, validator);
    const results = checkGuardrails(files, platform.argocdNamespace);
    expect(results.filter(r => r.status === 'failed').map(r => r.rule)).toEqual(
      Array(3).fill('guardrails-image-tag-not-latest[0]'),
    );
  });

  it('refuses, before any commit, what a cluster would deny, saying what to change', () => {
    const req = request({
      size: 'large',
      resources: [{ kind: 'Database', name: 'shop-db', size: 'large' }],
    });
    expect(() => renderChecked(req, platform, validator)).toThrow(
      /Database shop\/shop-db: Database shop-db asks for size large, which dev does not allow; use small or medium\. \(guardrails-crossplane-sizes\[0\]\)/,
    );
  });

  it('does not commit unchecked when the policies are missing', () => {
    const files = renderService(request({}), platform);
    expect(() =>
      checkGuardrails(files, 'argocd', '/nonexistent/policies'),
    ).toThrow(/guardrail policies are not at \/nonexistent\/policies/);
  });
});

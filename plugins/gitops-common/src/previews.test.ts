import { checkName } from './nameRules';
import { defaultPlatformConfig } from './platform';
import { previewNameProblem, previewOfApplication, renderPreview } from './previews';

describe('preview environments', () => {
  it('refuses names that cannot become <service>--<preview>, saying why', () => {
    expect(previewNameProblem('orders-api', 'pr-42')).toBeUndefined();
    expect(previewNameProblem('orders-api', 'PR_42')).toMatch(/lowercase letters, digits and "-"/);
    expect(previewNameProblem('orders-api', '42')).toMatch(/start with a letter/);
    expect(previewNameProblem('orders-api', 'a--b')).toMatch(/must not contain "--"/);
    expect(previewNameProblem('orders-api', `p${'x'.repeat(60)}`)).toMatch(/at most 51 for orders-api/);
  });

  it('keeps "--" out of service names, so no preview namespace is a service namespace', () => {
    expect(checkName('orders--api', 'service').map(p => p.rule)).toContain('preview-separator');
  });

  it('renders an overlay, a Namespace and an Application that name the preview and its expiry', () => {
    const files = renderPreview(
      {
        service: 'orders-api',
        preview: 'pr-42',
        owner: 'group:default/payments-team',
        image: 'contoso.azurecr.io/orders-api',
        tag: 'pr-42-3f2a1c9',
        expiresAt: '2026-12-03T12:00:00.000Z',
      },
      { name: 'dev', cluster: 'aks-dev' },
      defaultPlatformConfig({ gitopsRepoUrl: 'https://github.com/contoso/gitops.git' }),
    );
    expect(files.map(f => f.path)).toEqual([
      'apps/orders-api/previews/pr-42/kustomization.yaml',
      'apps/orders-api/previews/pr-42/namespace.yaml',
      'apps/orders-api/previews/pr-42/hpa-patch.yaml',
      'argocd/applications/dev/previews/orders-api--pr-42.yaml',
    ]);
    const app: any = files[3].documents[0];
    expect(app.spec.destination).toEqual({ name: 'aks-dev', namespace: 'orders-api--pr-42' });
    expect(previewOfApplication(files[3].path, app)).toEqual({
      service: 'orders-api',
      preview: 'pr-42',
      owner: 'group:default/payments-team',
      expiresAt: '2026-12-03T12:00:00.000Z',
      namespace: 'orders-api--pr-42',
      applicationPath: files[3].path,
    });
    expect((files[0].documents[0] as any).images).toEqual([
      { name: 'contoso.azurecr.io/orders-api', newTag: 'pr-42-3f2a1c9' },
    ]);
  });
});

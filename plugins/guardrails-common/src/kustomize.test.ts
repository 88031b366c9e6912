import { ManifestAssembler } from './kustomize';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'shop', labels: { app: 'shop' } },
  spec: {
    template: {
      metadata: { labels: { app: 'shop' } },
      spec: {
        containers: [{ name: 'shop', image: 'contoso.azurecr.io/shop:latest' }],
      },
    },
  },
};
const hpa = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'shop' },
  spec: { minReplicas: 2, maxReplicas: 4 },
};

function files(
  overlay: object,
  extra: Array<{ path: string; documents: object[] }> = [],
) {
  return [
    {
      path: 'apps/shop/base/kustomization.yaml',
      documents: [
        {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          resources: ['deployment.yaml', 'hpa.yaml'],
          commonAnnotations: {
            'idp-portal/owner': 'group:default/payments-team',
          },
        },
      ],
    },
    { path: 'apps/shop/base/deployment.yaml', documents: [deployment] },
    { path: 'apps/shop/base/hpa.yaml', documents: [hpa] },
    {
      path: 'apps/shop/overlays/dev/kustomization.yaml',
      documents: [
        {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          ...overlay,
        },
      ],
    },
    {
      path: 'apps/shop/overlays/dev/namespace.yaml',
      documents: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      ],
    },
    ...extra,
  ];
}

describe('ManifestAssembler', () => {
  it('builds each root kustomization as kustomize does, and leaves other files as they are', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'shop-dev', namespace: 'argocd' },
    };
    const groups = new ManifestAssembler(
      files(
        {
          namespace: 'shop',
          resources: ['namespace.yaml', '../../base'],
          labels: [
            {
              pairs: { 'idp-portal/environment': 'dev' },
              includeSelectors: false,
            },
          ],
          images: [{ name: 'contoso.azurecr.io/shop', newTag: '3f9a1c2b' }],
          patches: [{ path: 'hpa-patch.yaml' }],
        },
        [
          {
            path: 'apps/shop/overlays/dev/hpa-patch.yaml',
            documents: [
              {
                apiVersion: 'autoscaling/v2',
                kind: 'HorizontalPodAutoscaler',
                metadata: { name: 'shop' },
                spec: { minReplicas: 1 },
              },
            ],
          },
          { path: 'argocd/applications/dev/shop.yaml', documents: [app] },
        ],
      ),
    ).groups();
    expect(groups.map(g => g.source)).toEqual([
      'apps/shop/overlays/dev',
      'argocd/applications/dev/shop.yaml',
    ]);
    const [ns, dep, scaler] = groups[0].objects as any[];
    expect(ns.metadata).toEqual({
      name: 'shop',
      labels: { 'idp-portal/environment': 'dev' },
    });
    expect(dep.metadata).toEqual({
      name: 'shop',
      namespace: 'shop',
      labels: { app: 'shop', 'idp-portal/environment': 'dev' },
      annotations: { 'idp-portal/owner': 'group:default/payments-team' },
    });
    // Labels without templates; commonAnnotations on the pod template too.
    expect(dep.spec.template.metadata).toEqual({
      labels: { app: 'shop' },
      annotations: { 'idp-portal/owner': 'group:default/payments-team' },
    });
    expect(dep.spec.template.spec.containers[0].image).toBe(
      'contoso.azurecr.io/shop:3f9a1c2b',
    );
    expect(scaler.spec).toEqual({ minReplicas: 1, maxReplicas: 4 });
    expect(groups[1].objects).toEqual([app]);
    // The rendered documents are not changed.
    expect(deployment.metadata).toEqual({
      name: 'shop',
      labels: { app: 'shop' },
    });
  });

  it('refuses what it does not assemble rather than ignoring it', () => {
    expect(() =>
      new ManifestAssembler(
        files({
          resources: ['../../base'],
          replicas: [{ name: 'shop', count: 3 }],
        }),
      ).groups(),
    ).toThrow(/replicas is not assembled here/);
    expect(() =>
      new ManifestAssembler(
        files({
          resources: ['../../base'],
          labels: [{ pairs: { a: 'b' }, includeSelectors: true }],
        }),
      ).groups(),
    ).toThrow(/only labels without selectors/);
    expect(() =>
      new ManifestAssembler(
        files({ resources: ['../../base'], patches: [{ path: 'p.yaml' }] }, [
          // A base with a list the assembly has no merge rule for.
          {
            path: 'apps/shop/base/deployment.yaml',
            documents: [
              {
                ...deployment,
                spec: {
                  template: {
                    ...deployment.spec.template,
                    spec: {
                      ...deployment.spec.template.spec,
                      tolerations: [{ key: 'a' }],
                    },
                  },
                },
              },
            ],
          },
          {
            path: 'apps/shop/overlays/dev/p.yaml',
            documents: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                metadata: { name: 'shop' },
                spec: { template: { spec: { tolerations: [] } } },
              },
            ],
          },
        ]),
      ).groups(),
    ).toThrow(/sets the list Deployment.spec.template.spec.tolerations/);
    expect(() =>
      new ManifestAssembler(
        files({ resources: ['../../../../../x'] }),
      ).groups(),
    ).toThrow(/leaves the repository/);
  });

  it('merges containers and their env by name, as a strategic merge patch does', () => {
    const shopDeployment = (containers: object[]) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop' },
      spec: { template: { spec: { containers } } },
    });
    const [built] = new ManifestAssembler([
      {
        path: 'apps/shop/base/kustomization.yml',
        documents: [{ resources: ['deployment.yml'] }],
      },
      {
        path: 'apps/shop/base/deployment.yml',
        documents: [
          shopDeployment([
            { name: 'shop', image: 'shop:1', env: [{ name: 'A', value: '1' }] },
          ]),
        ],
      },
      {
        path: 'apps/shop/overlays/dev/kustomization.yml',
        documents: [
          { resources: ['../../base'], patches: [{ path: 'p.yml' }] },
        ],
      },
      {
        path: 'apps/shop/overlays/dev/p.yml',
        documents: [
          shopDeployment([
            {
              name: 'shop',
              env: [
                { name: 'A', value: '2' },
                { name: 'B', value: '3' },
              ],
            },
          ]),
        ],
      },
    ]).build('apps/shop/overlays/dev');
    expect((built.spec as any).template.spec.containers).toEqual([
      {
        name: 'shop',
        image: 'shop:1',
        env: [
          { name: 'B', value: '3' },
          { name: 'A', value: '2' },
        ],
      },
    ]);
  });
});

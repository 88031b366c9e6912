import { Entity } from '@backstage/catalog-model';
import {
  AnnotationError,
  parseResourceId,
  readResourceSelectors,
} from './annotations';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', annotations },
});

const SITE =
  '/subscriptions/3b540246-808d-4331-99aa-917b808a9166/resourceGroups/rg-payments/providers/Microsoft.Web/sites/payments-api';

describe('parseResourceId', () => {
  it('splits top-level and child resource ids', () => {
    expect(parseResourceId(SITE)).toEqual({
      id: SITE,
      subscriptionId: '3b540246-808d-4331-99aa-917b808a9166',
      resourceGroup: 'rg-payments',
      type: 'Microsoft.Web/sites',
      name: 'payments-api',
    });
    expect(parseResourceId(`${SITE}/slots/staging`)).toMatchObject({
      type: 'Microsoft.Web/sites/slots',
      name: 'staging',
    });
  });

  it('refuses what is not a resource id', () => {
    expect(parseResourceId('payments-api')).toBeUndefined();
    expect(
      parseResourceId('/subscriptions/x/resourceGroups/rg-payments'),
    ).toBeUndefined();
  });
});

describe('readResourceSelectors', () => {
  it('is undefined without any of the annotations', () => {
    expect(readResourceSelectors(entity({}))).toBeUndefined();
  });

  it('reads every selector at once', () => {
    expect(
      readResourceSelectors(
        entity({
          'azure.com/resource-id': ` ${SITE} ,${SITE}/slots/staging`,
          'azure.com/resource-group':
            '3b540246-808d-4331-99aa-917b808a9166/rg-payments',
          'azure.com/tag-selector': 'backstage.io/kubernetes-id=payments-api',
        }),
      ),
    ).toEqual({
      resourceIds: [SITE, `${SITE}/slots/staging`],
      resourceGroups: [
        {
          subscriptionId: '3b540246-808d-4331-99aa-917b808a9166',
          resourceGroup: 'rg-payments',
        },
      ],
      tag: { key: 'backstage.io/kubernetes-id', value: 'payments-api' },
    });
  });

  it.each([
    ['azure.com/resource-id', 'payments-api'],
    ['azure.com/resource-group', 'rg-payments'],
    ['azure.com/tag-selector', 'payments-api'],
    // A quote would end the OData string of the ARM $filter.
    ['azure.com/tag-selector', "team=o'brien"],
  ])('refuses %s: %s', (key, value) => {
    expect(() => readResourceSelectors(entity({ [key]: value }))).toThrow(
      AnnotationError,
    );
  });
});

import { Entity } from '@backstage/catalog-model';
import {
  AZURE_RESOURCE_GROUP_ANNOTATION,
  AZURE_RESOURCE_ID_ANNOTATION,
  AZURE_TAG_SELECTOR_ANNOTATION,
} from '@internal/plugin-azure-monitor-common';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-platform-common';
import { FakeAlert, FakeAzureOptions, FakeResource } from './fakeAzure';

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT_ID = '5b2d1a8e-9c44-4f3e-a0a6-3f0b7c1d2e11';
export const CLIENT_SECRET = 'fake-client-secret';
/** Where the payments team's resources live. */
export const PROD_SUB = '3b540246-808d-4331-99aa-917b808a9166';
/** The platform team's shared subscription. */
export const SHARED_SUB = '1e3ff1c0-771a-4119-a03b-be82a51e232d';

const id = (sub: string, rg: string, type: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;

// The golden paths tag a component's Azure resources with its Kubernetes id.
const PAYMENTS_TAG = { [KUBERNETES_ID_LABEL]: 'payments-api' };

export const resources = {
  paymentsSite: {
    id: id(PROD_SUB, 'rg-payments-prod', 'Microsoft.Web/sites', 'payments-api'),
    name: 'payments-api',
    type: 'Microsoft.Web/sites',
    location: 'westeurope',
    tags: { ...PAYMENTS_TAG, env: 'prod' },
  },
  paymentsInsights: {
    id: id(
      PROD_SUB,
      'rg-payments-prod',
      'microsoft.insights/components',
      'payments-api-ai',
    ),
    name: 'payments-api-ai',
    type: 'microsoft.insights/components',
    location: 'westeurope',
    tags: PAYMENTS_TAG,
  },
  // ARM spells this type with a capital R.
  paymentsCache: {
    id: id(
      PROD_SUB,
      'rg-payments-prod',
      'Microsoft.Cache/Redis',
      'payments-cache',
    ),
    name: 'payments-cache',
    type: 'Microsoft.Cache/Redis',
    location: 'westeurope',
    tags: PAYMENTS_TAG,
  },
  paymentsDb: {
    id: id(
      PROD_SUB,
      'rg-payments-prod',
      'Microsoft.DBforPostgreSQL/flexibleServers',
      'payments-db',
    ),
    name: 'payments-db',
    type: 'Microsoft.DBforPostgreSQL/flexibleServers',
    location: 'westeurope',
    tags: PAYMENTS_TAG,
  },
  paymentsStorage: {
    id: id(
      PROD_SUB,
      'rg-payments-prod',
      'Microsoft.Storage/storageAccounts',
      'paymentsreceipts',
    ),
    name: 'paymentsreceipts',
    type: 'Microsoft.Storage/storageAccounts',
    location: 'westeurope',
    tags: PAYMENTS_TAG,
  },
  ordersSite: {
    id: id(PROD_SUB, 'rg-payments-prod', 'Microsoft.Web/sites', 'orders-api'),
    name: 'orders-api',
    type: 'Microsoft.Web/sites',
    location: 'westeurope',
    tags: { [KUBERNETES_ID_LABEL]: 'orders-api' },
  },
  paymentsWorker: {
    id: id(SHARED_SUB, 'rg-workers', 'Microsoft.Web/sites', 'payments-worker'),
    name: 'payments-worker',
    type: 'Microsoft.Web/sites',
    location: 'northeurope',
    tags: PAYMENTS_TAG,
  },
  aks: {
    id: id(
      SHARED_SUB,
      'rg-shared',
      'Microsoft.ContainerService/managedClusters',
      'aks-prod',
    ),
    name: 'aks-prod',
    type: 'Microsoft.ContainerService/managedClusters',
    location: 'westeurope',
  },
  serviceBus: {
    id: id(
      SHARED_SUB,
      'rg-shared',
      'Microsoft.ServiceBus/namespaces',
      'sb-shared',
    ),
    name: 'sb-shared',
    type: 'Microsoft.ServiceBus/namespaces',
    location: 'westeurope',
  },
} satisfies Record<string, FakeResource>;

export const alerts: FakeAlert[] = [
  {
    name: 'payments-api slow responses',
    severity: 'Sev3',
    alertState: 'Acknowledged',
    monitorCondition: 'Fired',
    targetResource: resources.paymentsSite.id,
    startDateTime: '2025-05-02T09:00:00Z',
  },
  {
    name: 'payments-api 5xx',
    severity: 'Sev1',
    alertState: 'New',
    monitorCondition: 'Fired',
    targetResource: resources.paymentsSite.id,
    startDateTime: '2025-05-02T10:15:00Z',
  },
  {
    name: 'payments-db CPU above 90%',
    severity: 'Sev0',
    alertState: 'New',
    monitorCondition: 'Fired',
    targetResource: resources.paymentsDb.id,
    startDateTime: '2025-05-02T10:20:00Z',
  },
  {
    name: 'payments-cache memory resolved',
    severity: 'Sev2',
    alertState: 'New',
    monitorCondition: 'Resolved',
    targetResource: resources.paymentsCache.id,
    startDateTime: '2025-05-01T08:00:00Z',
  },
  {
    name: 'payments-cache evictions (closed by on-call)',
    severity: 'Sev2',
    alertState: 'Closed',
    monitorCondition: 'Fired',
    targetResource: resources.paymentsCache.id,
    startDateTime: '2025-05-01T07:00:00Z',
  },
  {
    name: 'orders-api 5xx',
    severity: 'Sev0',
    alertState: 'New',
    monitorCondition: 'Fired',
    targetResource: resources.ordersSite.id,
    startDateTime: '2025-05-02T11:00:00Z',
  },
  {
    name: 'aks-prod node memory',
    severity: 'Sev2',
    alertState: 'New',
    monitorCondition: 'Fired',
    targetResource: resources.aks.id,
    startDateTime: '2025-05-02T06:00:00Z',
  },
];

export function fakeAzureOptions(): FakeAzureOptions {
  return {
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    resources: Object.values(resources),
    alerts,
    // Small pages so that following nextLink is exercised.
    pageSize: 2,
  };
}

/**
 * The `azure` block of app-config that signs in to this fake: the scenario's service principal,
 * the fake's own login host and its certificate.
 */
export function fakeAzureIdentity(fake: { url: string; ca: string }) {
  return {
    credentials: {
      tenantId: TENANT_ID,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      authorityHost: fake.url,
    },
    caData: fake.ca,
  };
}

const component = (
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/payments',
  },
});

export const entities = {
  byTag: component('payments-api', {
    [AZURE_TAG_SELECTOR_ANNOTATION]: `${KUBERNETES_ID_LABEL}=payments-api`,
  }),
  byGroup: component('shared-platform', {
    [AZURE_RESOURCE_GROUP_ANNOTATION]: `${SHARED_SUB}/rg-shared`,
  }),
  byId: component('orders-api', {
    [AZURE_RESOURCE_ID_ANNOTATION]: `${resources.ordersSite.id}, ${resources.aks.id}`,
  }),
  notConfigured: component('legacy-batch', {
    'backstage.io/techdocs-ref': 'dir:.',
  }),
  badAnnotation: component('broken-annotation', {
    [AZURE_RESOURCE_GROUP_ANNOTATION]: 'rg-without-subscription',
  }),
};

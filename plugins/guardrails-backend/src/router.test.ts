import { mockErrorHandler, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EntityGuardrailsResponse,
  GuardrailResult,
  GuardrailsReport,
  RuleDescription,
} from '@internal/plugin-guardrails-common';
import express from 'express';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ScanState } from './GitOpsScanner';
import { createRouter } from './router';

const rule: RuleDescription = {
  rule: 'guardrails-image-tag-not-latest[0]',
  policy: 'guardrails-image-tag-not-latest',
  validation: 0,
  title: 'Images are pinned',
  message: 'No :latest',
  actions: ['Deny'],
  environments: 'all',
  exemptable: true,
};

const result = (status: GuardrailResult['status'], name: string): GuardrailResult => ({
  status,
  rule: rule.rule,
  policy: rule.policy,
  validation: 0,
  title: rule.title,
  binding: 'b',
  actions: ['Deny'],
  object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: name, name },
  message: status === 'failed' ? 'use a tag' : '',
});

const state: ScanState = {
  scan: { repoUrl: 'http://git/gitops.git', branch: 'main', commit: 'abc', services: 2 },
  evaluations: [
    { service: 'shop', environment: 'prod', results: [result('failed', 'shop')] },
    { service: 'secret-ledger', environment: 'prod', results: [result('passed', 'secret-ledger')] },
  ],
};

const entity = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations: { 'backstage.io/kubernetes-id': name } },
  spec: {},
});

describe('the guardrails router', () => {
  let server: Server;
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  beforeAll(async () => {
    const app = express();
    // The caller may read shop but not secret-ledger.
    const readable = new Set(['component:default/shop']);
    app.use(
      await createRouter({
        httpAuth: mockServices.httpAuth(),
        catalog: catalogServiceMock.mock({
          getEntitiesByRefs: async ({ entityRefs }) => ({
            items: entityRefs.map(r => (readable.has(r) ? entity(r.split('/')[1]) : undefined)),
          }),
          getEntityByRef: async ref =>
            readable.has(String(ref)) ? entity(String(ref).split('/')[1]) : undefined,
        }),
        rules: [rule],
        scans: { current: () => state },
      }),
    );
    app.use(mockErrorHandler());
    server = app.listen(0);
  });
  afterAll(() => server.close());

  it('reports the rules and only the components the caller may read', async () => {
    const res = await fetch(`${base()}/v1/report`);
    expect(res.status).toBe(200);
    const report: GuardrailsReport = await res.json();
    expect(report.components.map(c => c.entityRef)).toEqual(['component:default/shop']);
    expect(report.rules).toEqual([
      expect.objectContaining({
        rule: rule.rule,
        failingComponents: 1,
        counts: { passed: 0, failed: 1, exempted: 0, 'not-checked': 0 },
        exemptionRate: 0,
      }),
    ]);
    expect(report.scan.commit).toBe('abc');
  });

  it("answers a component's findings", async () => {
    const res = await fetch(`${base()}/v1/entities/component/default/shop`);
    const body: EntityGuardrailsResponse = await res.json();
    expect(body.component?.findings).toEqual([
      expect.objectContaining({ environment: 'prod', status: 'failed', message: 'use a tag' }),
    ]);
  });

  it('answers 404 for a component the caller may not read, as for one that does not exist', async () => {
    const hidden = await fetch(`${base()}/v1/entities/component/default/secret-ledger`);
    const missing = await fetch(`${base()}/v1/entities/component/default/nothing`);
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
  });

  it('refuses a request without credentials', async () => {
    const res = await fetch(`${base()}/v1/report`, {
      headers: { Authorization: 'Bearer mock-invalid-user-token' },
    });
    expect(res.status).toBe(401);
  });
});

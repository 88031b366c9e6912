import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { serviceRequestSchema } from '@internal/plugin-gitops-common';
import { testOrgAccess } from '@internal/test-fakes/access';
import Ajv from 'ajv';
import path from 'path';
import { accessChecks } from '../access/accessChecks';
import { ManifestValidator } from '../validation/ManifestValidator';
import { createCatalogRegisterAction, createCatalogWaitAction } from './catalog';
import { parseInput } from './input';
import { createRepoPublishAction } from './repository';
import { createResourcePublishAction } from './resource';
import { createServiceCheckAction, createServicePublishAction } from './service';

const config = new ConfigReader({});
const deps = {
  config,
  integrations: ScmIntegrations.fromConfig(config),
  validator: ManifestValidator.fromDirectory(path.resolve(__dirname, '../../schemas')),
  ...accessChecks(testOrgAccess()),
  auth: mockServices.auth(),
};
const actions = [
  createServiceCheckAction(deps),
  createServicePublishAction(deps),
  createRepoPublishAction(deps),
  createResourcePublishAction(deps),
  createCatalogRegisterAction({ catalog: catalogServiceMock() }),
  createCatalogWaitAction({ catalog: catalogServiceMock(), auth: mockServices.auth() }),
];

// What a template renders when the user left the optional fields blank.
const blankFields = {
  name: 'payments-api',
  owner: 'group:default/payments-team',
  system: '',
  description: '',
  ingressHost: '',
  imageTag: '',
  sourceRepoUrl: '',
};

describe('action input schemas', () => {
  it.each(actions.map(a => [a.id, a] as const))('%s publishes its input and output as JSON Schema', (_id, action) => {
    const jsonSchema = expect.objectContaining({ type: 'object', properties: expect.any(Object) });
    expect(action.schema?.input).toEqual(jsonSchema);
    // A function-form input drops an output given as an object of fields; only the wait has none.
    expect(action.schema?.output ?? 'none').toEqual(action.id === 'gitops:catalog:wait' ? 'none' : jsonSchema);
  });

  it('lets blank optional fields through the JSON Schema the scaffolder checks, and the handler reads them as not given', () => {
    const publish = createServicePublishAction(deps);
    const validate = new Ajv({ strict: false }).compile(publish.schema!.input!);
    expect(validate(blankFields)).toBe(true);
    expect(validate({ ...blankFields, name: undefined })).toBe(false);

    const req = parseInput(serviceRequestSchema, blankFields, 'golden-path input');
    expect(req).toMatchObject({ type: 'http', port: 8080, imageTag: 'latest', resources: [] });
    expect(req.system).toBeUndefined();
    expect(req.ingressHost).toBeUndefined();
  });

  it('refuses bad values in our words, naming the field', () => {
    expect(() =>
      parseInput(
        serviceRequestSchema,
        { ...blankFields, owner: 'user:default/priya.raman', ingressHost: 'not a host' },
        'golden-path input',
      ),
    ).toThrow(
      'Invalid golden-path input: owner must be a team (a Group), because the team owns the ArgoCD project; ingressHost must be a host name such as payments.contoso.example',
    );
  });
});

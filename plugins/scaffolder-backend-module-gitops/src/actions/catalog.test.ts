import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError, ResponseError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createCatalogRegisterAction, createCatalogWaitAction, locationEntityRef } from './catalog';

const input = {
  catalogInfoUrl: 'http://localhost:7007/api/git-host/raw/contoso/orders-api/main/catalog-info.yaml',
  entityRef: 'component:default/orders-api',
};

/** What the catalog answers over HTTP for a location that is already registered. */
const conflict = () =>
  ResponseError.fromResponse(
    new Response(
      JSON.stringify({ error: { name: 'ConflictError', message: `Location url:${input.catalogInfoUrl} already exists` } }),
      { status: 409, statusText: 'Conflict', headers: { 'Content-Type': 'application/json' } },
    ),
  );

describe('gitops:catalog:register', () => {
  it('registers the location as the user', async () => {
    const catalog = catalogServiceMock();
    const add = jest.spyOn(catalog, 'addLocation').mockResolvedValue({ location: {} as any, entities: [] });
    const ctx = createMockActionContext({ input });
    await createCatalogRegisterAction({ catalog }).handler(ctx);
    expect(add).toHaveBeenCalledWith({ type: 'url', target: input.catalogInfoUrl }, expect.objectContaining({ credentials: expect.anything() }));
    expect(ctx.output).toHaveBeenCalledWith('registered', true);
    expect(ctx.output).toHaveBeenCalledWith('entityRef', input.entityRef);
  });

  it('takes a location an earlier run of the request added (409) as registered', async () => {
    const catalog = catalogServiceMock();
    jest.spyOn(catalog, 'addLocation').mockRejectedValue(await conflict());
    const logger = mockServices.logger.mock();
    const ctx = createMockActionContext({ input, logger });
    await createCatalogRegisterAction({ catalog }).handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('registered', false);
    expect(logger.info).toHaveBeenCalledWith(expect.stringContaining('already registered by an earlier run'));
  });

  it('adds nothing when the entity is already in the catalog', async () => {
    const catalog = catalogServiceMock({
      entities: [{ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'orders-api', namespace: 'default' }, spec: {} }],
    });
    const add = jest.spyOn(catalog, 'addLocation');
    const ctx = createMockActionContext({ input });
    await createCatalogRegisterAction({ catalog }).handler(ctx);
    expect(add).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith('registered', false);
  });

  it('fails on any other answer, saying what the catalog said', async () => {
    const catalog = catalogServiceMock();
    jest.spyOn(catalog, 'addLocation').mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(JSON.stringify({ error: { name: 'InputError', message: 'Unable to read url' } }), {
          status: 400,
          statusText: 'Bad Request',
          headers: { 'Content-Type': 'application/json' },
        }),
      ),
    );
    const ctx = createMockActionContext({ input });
    await expect(createCatalogRegisterAction({ catalog }).handler(ctx)).rejects.toThrow(/Unable to read url/);
    expect(ctx.output).not.toHaveBeenCalledWith('registered', expect.anything());
  });
});

describe('gitops:catalog:wait', () => {
  const waitInput = { entityRef: input.entityRef, catalogInfoUrl: input.catalogInfoUrl, timeoutSeconds: 30 };
  const component = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'orders-api', namespace: 'default' },
    spec: {},
  };

  it('returns as soon as the entity is there, asking nothing more', async () => {
    const catalog = catalogServiceMock({ entities: [component] });
    const refresh = jest.spyOn(catalog, 'refreshEntity');
    const ctx = createMockActionContext({ input: waitInput });
    await createCatalogWaitAction({ catalog, auth: mockServices.auth() }).handler(ctx);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('asks the catalog, as the scaffolder, to process the location again when the entity is late', async () => {
    // As after a replica died holding the location: nothing appears until it is refreshed.
    const catalog = catalogServiceMock();
    const location = locationEntityRef(input.catalogInfoUrl);
    let refreshed = false;
    jest.spyOn(catalog, 'getEntityByRef').mockImplementation(async () => (refreshed ? component : undefined));
    const refresh = jest.spyOn(catalog, 'refreshEntity').mockImplementation(async ref => {
      if (ref !== location) throw new NotFoundError(`Entity ${ref} not found`);
      refreshed = true;
    });
    const logger = mockServices.logger.mock();
    const ctx = createMockActionContext({ input: waitInput, logger });
    const started = Date.now();
    await createCatalogWaitAction({ catalog, auth: mockServices.auth() }).handler(ctx);

    expect(location).toMatch(/^location:default\/generated-[0-9a-f]{40}$/);
    expect(refresh.mock.calls.map(([ref]) => ref)).toEqual([input.entityRef, location]);
    expect((refresh.mock.calls[0][1] as { credentials: { principal: unknown } }).credentials.principal).toMatchObject({ type: 'service' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(logger.info).toHaveBeenCalledWith(`Asked the catalog to process ${location} again`);
    expect(logger.info).toHaveBeenCalledWith(`${input.entityRef} is in the catalog`);
  });
});

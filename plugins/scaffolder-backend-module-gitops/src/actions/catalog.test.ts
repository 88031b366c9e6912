import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createCatalogRegisterAction } from './catalog';

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

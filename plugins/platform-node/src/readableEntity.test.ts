import { mockServices } from '@backstage/backend-test-utils';
import { InputError, NotFoundError } from '@backstage/errors';
import { entityRefOfParams, refuseUnreadable } from './readableEntity';

describe('entityRefOfParams', () => {
  it('names the entity of a /:kind/:namespace/:name route', () => {
    expect(entityRefOfParams({ kind: 'Component', namespace: 'default', name: 'payments-api' })).toBe(
      'component:default/payments-api',
    );
  });

  it('says which part cannot name an entity', () => {
    expect(() => entityRefOfParams({ kind: 'Component', namespace: 'default', name: '../etc' })).toThrow(
      new InputError('Invalid entity reference: name is not a valid catalog name'),
    );
  });
});

describe('refuseUnreadable', () => {
  it('audits the refusal and gives the 404 to throw', async () => {
    const auditor = mockServices.auditor.mock();
    const fail = jest.fn();
    auditor.createEvent.mockResolvedValue({ success: jest.fn(), fail });
    const error = await refuseUnreadable(auditor, {} as any, 'health-read', 'component:default/x');
    expect(error).toBeInstanceOf(NotFoundError);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'permission-denied',
        meta: expect.objectContaining({ action: 'health-read', entityRef: 'component:default/x' }),
      }),
    );
    expect(fail).toHaveBeenCalledWith({ error });
  });
});

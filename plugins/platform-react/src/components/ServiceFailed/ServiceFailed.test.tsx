import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { ServiceFailed } from './ServiceFailed';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api' },
  spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
};

/** The body Backstage's error middleware sends. */
const errorBody = (status: number, name: string, message: string) =>
  JSON.stringify({
    error: { name, message },
    request: { method: 'GET', url: '/v1/entities/component/default/orders-api/verdict' },
    response: { statusCode: status },
  });

function responseError(status: number, body: string, contentType = 'application/json') {
  return ResponseError.fromResponse({
    status,
    statusText: status === 404 ? 'Not Found' : 'Bad Gateway',
    url: 'http://localhost:7007/api/health/v1/entities/component/default/orders-api/verdict',
    headers: new Headers({ 'content-type': contentType }),
    text: async () => body,
  } as any);
}

async function render(error: Error, retry = jest.fn()) {
  await renderInTestApp(
    <EntityProvider entity={entity}>
      <ServiceFailed service="health service" error={error} retry={retry} />
    </EntityProvider>,
  );
  return retry;
}

describe('ServiceFailed', () => {
  it('names the service, repeats what it said, and asks again on "Try again"', async () => {
    const retry = await render(
      await responseError(503, errorBody(503, 'ServiceUnavailableError', 'kaboom')),
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      "The health service could not answerIt said: kaboom. Try again; if it keeps failing, the portal's backend log names the cause.",
    );
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['an HTML page from a proxy', '<html><body>502 Bad Gateway</body></html>', 'text/html'],
    ['JSON that is not an error body', '{"message":"upstream timed out"}', 'application/json'],
    ['an empty answer', '', 'text/plain'],
  ])('never shows a bare HTTP status for %s', async (_what, body, contentType) => {
    await render(await responseError(502, body, contentType));
    expect(screen.getByRole('alert')).toHaveTextContent(
      "The health service could not answerTry again; if it keeps failing, the portal's backend log names the cause.",
    );
    expect(screen.queryByText(/502|Bad Gateway|Request failed|upstream/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('says why when no answer came at all', async () => {
    await render(new TypeError('Failed to fetch'));
    expect(screen.getByText(/It said: Failed to fetch\./)).toBeInTheDocument();
  });

  it('says nothing about an entity the user may not read', async () => {
    await render(
      await responseError(404, errorBody(404, 'NotFoundError', 'no entity')),
    );
    expect(screen.getByText('Nothing to show')).toBeInTheDocument();
    expect(screen.getByText(/You may not read orders-api in the catalog, or the health service does not know it/)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByText(/no entity/)).not.toBeInTheDocument();
  });
});

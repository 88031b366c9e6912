import { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { CatalogSearchPicker } from './CatalogSearchPicker';

const component = (name: string, title?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', ...(title ? { title } : {}) },
});

const CATALOG = [
  component('checkout-web', 'Checkout Web'),
  component('ledger-worker', 'Ledger Worker'),
  component('payments-api', 'Payments API'),
];

/** A catalog that answers as the real one: the term matched against name and title. */
function fakeCatalog() {
  return catalogApiMock.mock({
    queryEntities: jest.fn(async (request: any) => {
      const term = request.fullTextFilter?.term?.toLowerCase();
      const items = CATALOG.filter(
        e =>
          !term ||
          e.metadata.name.includes(term) ||
          e.metadata.title?.toLowerCase().includes(term),
      ).slice(0, request.limit);
      return { items, totalItems: items.length, pageInfo: {} };
    }),
    getEntitiesByRefs: jest.fn(async () => ({ items: [CATALOG[2]] })),
  });
}

function Field(props: { initial?: string; onValue?: (v?: string) => void }) {
  const [value, setValue] = useState<string | undefined>(props.initial);
  const field = {
    onChange: (v?: string) => {
      setValue(v);
      props.onValue?.(v);
    },
    formData: value,
    required: true,
    rawErrors: [],
    schema: { title: 'Service', description: 'The component that uses it.' },
    uiSchema: {
      'ui:options': {
        catalogFilter: { kind: 'Component' },
        defaultKind: 'Component',
        limit: 2,
      },
    },
    idSchema: { $id: 'root_component' },
  };
  return <CatalogSearchPicker {...(field as any)} />;
}

describe('CatalogSearchPicker', () => {
  it('asks the catalog for the first matches of what is typed, with only the fields it shows', async () => {
    const catalog = fakeCatalog();
    const chosen = jest.fn();
    await renderInTestApp(<Field onValue={chosen} />, {
      apis: [[catalogApiRef, catalog]],
    });
    await waitFor(() => expect(catalog.queryEntities).toHaveBeenCalled());
    expect(catalog.queryEntities).toHaveBeenLastCalledWith({
      filter: { kind: 'Component' },
      fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.title'],
      limit: 2,
      orderFields: { field: 'metadata.name', order: 'asc' },
    });

    const input = screen.getByRole('textbox', { name: /Service/ });
    fireEvent.change(input, { target: { value: 'paym' } });
    await waitFor(() =>
      expect(catalog.queryEntities).toHaveBeenLastCalledWith(
        expect.objectContaining({
          fullTextFilter: {
            term: 'paym',
            fields: ['metadata.name', 'metadata.title'],
          },
        }),
      ),
    );
    fireEvent.click(
      await screen.findByRole('option', { name: 'Payments API (payments-api)' }),
    );
    expect(chosen).toHaveBeenLastCalledWith('component:default/payments-api');
    expect(input).toHaveValue('Payments API (payments-api)');
  });

  it('shows a value given with the form by its title', async () => {
    const catalog = fakeCatalog();
    await renderInTestApp(<Field initial="component:default/payments-api" />, {
      apis: [[catalogApiRef, catalog]],
    });
    await waitFor(() =>
      expect(screen.getByRole('textbox', { name: /Service/ })).toHaveValue(
        'Payments API (payments-api)',
      ),
    );
    expect(catalog.getEntitiesByRefs).toHaveBeenCalledWith({
      entityRefs: ['component:default/payments-api'],
      fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.title'],
    });
  });

  it('says so when the catalog cannot be searched', async () => {
    const catalog = catalogApiMock.mock({
      queryEntities: jest.fn(async () => {
        throw new Error('503 Service Unavailable');
      }),
    });
    await renderInTestApp(<Field />, { apis: [[catalogApiRef, catalog]] });
    expect(
      await screen.findByText(
        'The catalog could not be searched: 503 Service Unavailable',
      ),
    ).toBeInTheDocument();
  });
});

import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useEffect, useState } from 'react';
import { CatalogSearchPickerProps } from './schema';

// Only what an option shows: a whole Component with its annotations and relations is ~300 bytes
// more each, and a catalog of 2,000 of them is most of a megabyte the form never reads.
const FIELDS = ['kind', 'metadata.namespace', 'metadata.name', 'metadata.title'];
const SEARCHED = ['metadata.name', 'metadata.title'];
const DEBOUNCE_MS = 200;

type Option = { ref: string; label: string };

function optionOf(entity: Entity, defaultKind?: string): Option {
  const ref = stringifyEntityRef(entity);
  const short =
    defaultKind?.toLocaleLowerCase('en-US') ===
      entity.kind.toLocaleLowerCase('en-US') &&
    entity.metadata.namespace === 'default'
      ? entity.metadata.name
      : ref;
  return {
    ref,
    label: entity.metadata.title
      ? `${entity.metadata.title} (${short})`
      : short,
  };
}

/**
 * An entity picker that asks the catalog for the first matches of what is typed instead of
 * loading every entity the filter allows, as EntityPicker does: at 2,000 Components that is
 * 676 KiB before the form can be used. The value is the entity ref, as EntityPicker's.
 */
export const CatalogSearchPicker = (props: CatalogSearchPickerProps) => {
  const {
    onChange,
    required,
    formData,
    rawErrors,
    schema: { title, description },
    uiSchema,
    idSchema,
  } = props;
  const options = uiSchema['ui:options'] ?? {};
  const { defaultKind } = options;
  const limit = options.limit ?? 20;
  const filter = JSON.stringify(options.catalogFilter ?? {});
  const catalogApi = useApi(catalogApiRef);
  const [input, setInput] = useState('');
  const [found, setFound] = useState<Option[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();
  const [selected, setSelected] = useState<Option | null>(null);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const timer = setTimeout(async () => {
      const term = input.trim();
      try {
        const { items } = await catalogApi.queryEntities({
          filter: JSON.parse(filter),
          fields: FIELDS,
          limit,
          orderFields: { field: 'metadata.name', order: 'asc' },
          // A chosen option's label is not a search.
          ...(term && term !== selected?.label
            ? { fullTextFilter: { term, fields: SEARCHED } }
            : {}),
        });
        if (!current) return;
        setFound(items.map(e => optionOf(e, defaultKind)));
        setError(undefined);
      } catch (e) {
        if (current) setError(e as Error);
      } finally {
        if (current) setLoading(false);
      }
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [catalogApi, filter, limit, input, defaultKind, selected]);

  // A value given with the form (formData in the URL) is shown by its title once, by ref only.
  useEffect(() => {
    if (!formData || selected?.ref === formData) return undefined;
    let current = true;
    catalogApi
      .getEntitiesByRefs({ entityRefs: [formData], fields: FIELDS })
      .then(({ items: [entity] }) => {
        if (current && entity) setSelected(optionOf(entity, defaultKind));
      })
      .catch(() => {
        // shown by its ref
      });
    return () => {
      current = false;
    };
  }, [catalogApi, formData, selected, defaultKind]);

  let value: Option | null = null;
  if (formData) value = selected?.ref === formData ? selected : { ref: formData, label: formData };

  return (
    <Autocomplete<Option>
      id={idSchema?.$id}
      value={value}
      options={found}
      loading={loading}
      // The catalog already matched the options to what was typed.
      filterOptions={o => o}
      getOptionLabel={o => o.label}
      getOptionSelected={(o, v) => o.ref === v.ref}
      inputValue={input}
      onInputChange={(_, text) => setInput(text)}
      onChange={(_, option) => {
        setSelected(option);
        onChange(option?.ref);
      }}
      renderInput={params => (
        <TextField
          {...params}
          label={title}
          margin="normal"
          required={required}
          error={!!error || (rawErrors?.length ?? 0) > 0}
          helperText={
            error
              ? `The catalog could not be searched: ${error.message}`
              : description
          }
          FormHelperTextProps={{ id: `${idSchema?.$id}-helper-text` }}
          inputProps={{
            ...params.inputProps,
            'aria-describedby': `${idSchema?.$id}-helper-text`,
          }}
        />
      )}
    />
  );
};

export { CatalogSearchPicker } from './CatalogSearchPicker';
export { CatalogSearchPickerSchema } from './schema';

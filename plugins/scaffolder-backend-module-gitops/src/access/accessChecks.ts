import { CatalogReferences } from './CatalogReferences';
import { OwnerGuard } from './OwnerGuard';

/**
 * The server-side checks of every golden path over one catalog: the owner guard (is the user
 * in the owning team?) and the catalog references (do the owner, the service and the resource
 * name exist as the request says?).
 */
export function accessChecks(options: ConstructorParameters<typeof OwnerGuard>[0]) {
  return {
    guard: new OwnerGuard(options),
    references: new CatalogReferences(options.catalog),
  };
}

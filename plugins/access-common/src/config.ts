import { Config } from '@backstage/config';
import { groupRef } from './refs';

/** Who is trusted with what, from `permission.*` (see config.d.ts). */
export type AccessSettings = {
  /** Group refs whose members are platform admins. */
  platformAdmins: string[];
  /** Group refs whose members may read the catalog; undefined means every signed-in user. */
  catalogReaders?: string[];
};

export function readAccessSettings(config: Config): AccessSettings {
  const admins =
    config.getOptionalStringArray('permission.platformAdmins') ?? [];
  const readers = config.getOptionalStringArray('permission.catalogReaders');
  return {
    platformAdmins: admins.map(groupRef),
    catalogReaders: readers?.map(groupRef),
  };
}

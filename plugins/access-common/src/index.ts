export { AUDIT_EVENTS } from './audit';
export { readAccessSettings, type AccessSettings } from './config';
export {
  decideOwner,
  isPlatformAdmin,
  mayReadCatalog,
  type OwnerDecision,
} from './decisions';
export {
  GROUP_FIELDS,
  isMemberOfAny,
  ownershipRefsOf,
  type GroupLike,
  type UserLike,
} from './membership';
export { groupRef, sameRef } from './refs';

/** Frontend-visible config: the sign-in buttons the portal shows (see config.d.ts). */
export const SIGN_IN_PROVIDERS_CONFIG_KEY = 'app.signInProviders';

export { AUDIT_EVENTS } from './audit';
export { readAccessSettings, type AccessSettings } from './config';
export {
  decideOwner,
  isPlatformAdmin,
  mayReadCatalog,
  type OwnerDecision,
} from './decisions';
export {
  isMemberOfAny,
  ownershipRefsOf,
  type GroupLike,
  type UserLike,
} from './membership';
export { groupRef, sameRef } from './refs';

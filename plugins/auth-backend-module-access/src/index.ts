export { authModuleAccess as default } from './module';
export { createEntraSignInResolver } from './microsoftSignIn';
export { createAccessOwnershipResolver } from './ownership';

export { catalogModuleEntraOrg as default } from './module';
export { entraUserTransformer } from './userTransformer';

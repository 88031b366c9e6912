export {
  preflightRootConfigServiceFactory,
  preflightRootConfigServiceFactory as default,
  createPreflightRootConfigServiceFactory,
} from './preflightRootConfig';
export {
  findMissingConfig,
  type ConfigCondition,
  type RequiredConfigKey,
} from './findMissingConfig';

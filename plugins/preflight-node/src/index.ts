export {
  preflightRootConfigServiceFactory,
  preflightRootConfigServiceFactory as default,
  createPreflightRootConfigServiceFactory,
} from './preflightRootConfig';
export { findMissingConfig, type RequiredConfigKey } from './findMissingConfig';

export * from './types';
export {
  compareReasons,
  worstState,
  verdictFromReasons,
} from './state';
export * from './pods';
export * from './argocd';
export * from './crossplane';
export * from './alerts';
export * from './verdict';
export * from './environments';
export * from './reasons';
export type * from './api';

export { healthApiRef, HealthClient, type HealthApi } from './HealthApi';
export * from './types';

export { healthPlugin as default } from './plugin';
export { healthApiRef, HealthClient } from './api';
export type * from './api/types';
export type { HealthApi } from './api';
export { HealthVerdictCard } from './components/HealthVerdictCard';
export { EnvironmentsCard } from './components/EnvironmentsCard';
export { CloudResourcesCard } from './components/CloudResourcesCard';
export {
  isCloudResourcesAvailable,
  isWorkloadHealthAvailable,
} from './components/common/CardState';

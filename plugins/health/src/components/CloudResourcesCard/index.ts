export { CloudResourcesCard } from './CloudResourcesCard';

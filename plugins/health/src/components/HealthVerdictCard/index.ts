export { HealthVerdictCard } from './HealthVerdictCard';

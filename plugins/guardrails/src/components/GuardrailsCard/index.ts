export { GuardrailsCard } from './GuardrailsCard';

export { ServiceFailed } from './components/ServiceFailed';
export { RuleLine, RuleStatusChip } from './components/RuleLine';

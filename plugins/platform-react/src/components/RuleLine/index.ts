export { RuleLine, RuleStatusChip } from './RuleLine';

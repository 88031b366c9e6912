export { ServiceFailed } from './ServiceFailed';

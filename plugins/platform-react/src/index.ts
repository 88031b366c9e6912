export { ServiceFailed } from './components/ServiceFailed';

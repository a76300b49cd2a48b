export * from './harness';
export { readServices, SERVICE_VARS } from './services';

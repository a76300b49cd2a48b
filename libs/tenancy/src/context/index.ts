export { TenantContext } from './tenant-context';

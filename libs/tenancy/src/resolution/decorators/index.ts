export { CurrentTenant } from './current-tenant.decorator';
export { SkipTenancy } from './skip-tenancy.decorator';
export { TenantOptional } from './tenant-optional.decorator';

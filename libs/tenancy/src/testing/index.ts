// `nestjs-tenancy/testing`: helpers for applications' own tests.
export { testTenant } from './test-tenant';
export { TenancyTestingModule } from './tenancy-testing.module';
export type { TenancyTestingOptions } from './tenancy-testing.module';
export { tenantHeaders } from './tenant-request';
export { assertNoCrossTenantLeaks, CrossTenantLeakError } from './assert-no-cross-tenant-leaks';
export type { CrossTenantLeakCheck, LeakCheckRoute } from './assert-no-cross-tenant-leaks';

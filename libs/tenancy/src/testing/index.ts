// `nestjs-tenancy/testing`: helpers for applications' own tests.
export { testTenant } from './test-tenant';

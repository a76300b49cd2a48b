import { createParamDecorator } from '@nestjs/common';
import { currentScope } from '../../context/tenant-context';
import type { Tenant } from '../../models/tenant.model';

/**
 * Injects the current tenant, read from the tenancy scope (AsyncLocalStorage), not from the
 * request object; or one of its fields. `null` where the route has no tenant
 * (`@SkipTenancy()`, or `@TenantOptional()` without one).
 * @example
 * @Get() list(@CurrentTenant() tenant: Tenant) {}
 * @Get() mine(@CurrentTenant('identifier') identifier: string) {}
 */
export const CurrentTenant: (field?: keyof Tenant) => ParameterDecorator = createParamDecorator(
  (field: keyof Tenant | undefined): unknown => {
    const tenant = currentScope()?.tenant ?? null;
    return field && tenant ? tenant[field] : tenant;
  },
);

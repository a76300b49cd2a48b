import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { currentScope } from '../../context/tenant-context';
import { TenantContextMissingError } from '../../errors/tenant-context-missing.error';
import type { Tenant } from '../../models/tenant.model';
import { hasUntakenTenant } from '../tenant-handoff';

/**
 * Injects the current tenant, read from the tenancy scope (AsyncLocalStorage), not from the
 * request object; or one of its fields. `null` where the route has no tenant
 * (`@SkipTenancy()`, or `@TenantOptional()` without one). Throws `TenantContextMissingError` when
 * the guard handed the tenant to `TenancyContextInterceptor` and none took it (not mounted), so
 * such a route fails instead of running without its tenant.
 * @example
 * @Get() list(@CurrentTenant() tenant: Tenant) {}
 * @Get() mine(@CurrentTenant('identifier') identifier: string) {}
 */
export const CurrentTenant: (field?: keyof Tenant) => ParameterDecorator = createParamDecorator(
  (field: keyof Tenant | undefined, context: ExecutionContext): unknown => {
    const tenant = currentScope()?.tenant ?? null;
    if (tenant === null && hasUntakenTenant(context)) {
      throw new TenantContextMissingError(
        '@CurrentTenant(): the guard handed the tenant to TenancyContextInterceptor, which is not mounted (provide APP_INTERCEPTOR useExisting TenancyContextInterceptor)',
      );
    }
    return field && tenant ? tenant[field] : tenant;
  },
);

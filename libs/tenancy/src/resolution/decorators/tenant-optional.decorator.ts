import { SetMetadata } from '@nestjs/common';
import { TENANT_OPTIONAL } from '../../tenancy.constants';

/**
 * The route works with or without a tenant: a request carrying no identifier passes with no
 * tenant (`@CurrentTenant()` is `null`), while one carrying a bad, unknown or inactive
 * identifier is still refused with the uniform 404. A handler's value overrides its controller's.
 * @example @TenantOptional() @Get('pricing') pricing(@CurrentTenant() tenant: Tenant | null) {}
 */
export const TenantOptional = (optional = true): MethodDecorator & ClassDecorator =>
  SetMetadata(TENANT_OPTIONAL, optional);

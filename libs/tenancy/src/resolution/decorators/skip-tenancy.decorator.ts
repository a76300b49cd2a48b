import { SetMetadata } from '@nestjs/common';
import { SKIP_TENANCY } from '../../tenancy.constants';

/**
 * Marks a route (or every route of a controller) as needing no tenant: the TenancyGuard lets it
 * through without resolving anything. A handler's value overrides its controller's.
 * @example @SkipTenancy() @Get('health') health() {}
 */
export const SkipTenancy = (skip = true): MethodDecorator & ClassDecorator => SetMetadata(SKIP_TENANCY, skip);

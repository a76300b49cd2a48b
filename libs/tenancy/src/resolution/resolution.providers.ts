import type { CanActivate, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TENANCY_OPTIONS } from '../tenancy.constants';
import { createRateLimiter } from './rate-limit/create-rate-limiter';
import { RateLimiter } from './rate-limit/rate-limiter.interface';
import { RedisRateLimiter } from './rate-limit/redis.rate-limiter';
import { ResolutionMetrics } from './resolution.metrics';
import { createTenantResolver } from './resolvers/create-tenant-resolver';
import { TenancyContextInterceptor } from './tenancy-context.interceptor';
import { TenancyGuard } from './tenancy.guard';
import { TenantResolver } from './tenant-resolver.interface';

const allowAll: CanActivate = { canActivate: () => true };

/**
 * @internal Providers of the resolution layer, for the core module. They need `TENANCY_OPTIONS`,
 * `TenantStore` and `TenantContext` from it. The guard and interceptor are mounted globally
 * unless `mountGuard` is false (decided from the resolved options, so it works with
 * `forRootAsync`). Start-up waits up to 2 s for the rate limiter's Redis connection (then goes
 * on, limiting in memory until Redis answers); the connection closes on shutdown.
 */
export const RESOLUTION_PROVIDERS: Provider[] = [
  ResolutionMetrics,
  TenancyGuard,
  TenancyContextInterceptor,
  {
    provide: TenantResolver,
    useFactory: (options: ResolvedTenancyOptions) => createTenantResolver(options),
    inject: [TENANCY_OPTIONS],
  },
  {
    provide: RateLimiter,
    useFactory: async (options: ResolvedTenancyOptions) => {
      const limiter = createRateLimiter(options);
      if (limiter instanceof RedisRateLimiter) await limiter.waitUntilReady();
      return withShutdown(limiter);
    },
    inject: [TENANCY_OPTIONS],
  },
  {
    provide: APP_GUARD,
    useFactory: (options: ResolvedTenancyOptions, guard: TenancyGuard) => (options.mountGuard ? guard : allowAll),
    inject: [TENANCY_OPTIONS, TenancyGuard],
  },
];

/**
 * `TenancyContextInterceptor` as a global interceptor, for apps with RPC or WebSocket handlers
 * (add it to a module's providers). It is not mounted by default: any global interceptor makes
 * Nest run every HTTP handler through its rxjs pipeline, measured at 30–110 µs per request
 * (bench/ANALYSIS.md), and HTTP gets its scope from the middleware.
 */
export const TENANCY_CONTEXT_INTERCEPTOR: Provider = {
  provide: APP_INTERCEPTOR,
  useExisting: TenancyContextInterceptor,
};

/** Nest calls `onApplicationShutdown` on provider values, so the limiter's client closes with the app. */
function withShutdown(limiter: RateLimiter | null): RateLimiter | null {
  if (!limiter?.close) return limiter;
  return Object.assign(limiter, { onApplicationShutdown: () => limiter.close?.() });
}

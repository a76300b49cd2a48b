// Diagnostics (`--diagnose`): the baseline plus ONE piece of the plumbing the library adds per
// request, with no tenancy logic, to split the library's cost into what Node/Nest charge for the
// mechanism and what the library's own code costs.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CanActivate, MiddlewareConsumer, NestInterceptor, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';

export type Plumbing = 'als' | 'interceptor' | 'guard';

const storage = new AsyncLocalStorage<object>();

/** Global providers for `interceptor` (pass-through) and `guard` (async, always true). */
export function plumbingProviders(pieces: Plumbing[] = []): Provider[] {
  const providers: Provider[] = [];
  if (pieces.includes('interceptor')) {
    const passThrough: NestInterceptor = { intercept: (_context, next) => next.handle() };
    providers.push({ provide: APP_INTERCEPTOR, useValue: passThrough });
  }
  if (pieces.includes('guard')) {
    const allow: CanActivate = { canActivate: async () => Promise.resolve(true) };
    providers.push({ provide: APP_GUARD, useValue: allow });
  }
  return providers;
}

/** `als`: a middleware running the rest of the request in an AsyncLocalStorage scope, as the library's does. */
export function configurePlumbing(consumer: MiddlewareConsumer, pieces: Plumbing[] = []): void {
  if (!pieces.includes('als')) return;
  consumer
    .apply((_req: unknown, res: { once(e: string, f: () => void): void }, next: () => void) => {
      const scope = { tenant: null, slots: new Map() };
      res.once('close', () => scope.slots.clear());
      res.once('finish', () => scope.slots.clear());
      storage.run(scope, next);
    })
    .forRoutes('*');
}

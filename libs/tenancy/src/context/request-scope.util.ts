import type { TenancyScope } from './tenancy-scope';

/** @internal Where the scope middleware records a request's scope on the Node request object. */
const REQUEST_SCOPE: unique symbol = Symbol.for('nestjs-tenancy:request-scope');

interface ScopedRequest {
  [REQUEST_SCOPE]?: TenancyScope;
  /** Fastify's request wraps the Node request the middleware saw. */
  raw?: ScopedRequest;
}

/** @internal Records `scope` as the one opened for `request` (the middleware's Node request). */
export function bindScopeToRequest(request: object, scope: TenancyScope): void {
  (request as ScopedRequest)[REQUEST_SCOPE] = scope;
}

/**
 * @internal The scope the middleware opened for `request` (an Express request, or a Fastify
 * request whose `raw` is the Node request), or `undefined` when no middleware ran. Two property
 * reads, no allocation: it runs on every request.
 */
export function scopeOfRequest(request: unknown): TenancyScope | undefined {
  const scoped = request as ScopedRequest | null | undefined;
  return scoped?.[REQUEST_SCOPE] ?? scoped?.raw?.[REQUEST_SCOPE];
}

import type { ExecutionContext } from '@nestjs/common';
import type { TenancyScope } from '../context/tenancy-scope';

/** @internal `Controller.handler` of the route, for log lines. */
export function handlerName(context: ExecutionContext): string {
  return `${context.getClass()?.name ?? '?'}.${context.getHandler()?.name ?? '?'}`;
}

/**
 * @internal The error log line for a request whose current tenancy scope is not the one
 * `TenancyScopeMiddleware` opened for it: where, the cause, and the fix.
 */
export function foreignScopeMessage(
  context: ExecutionContext,
  bound: TenancyScope | undefined,
  current: TenancyScope | undefined,
): string {
  const cause = !bound
    ? 'a tenancy scope is current but TenancyScopeMiddleware did not open one for this request'
    : !current
      ? 'no tenancy scope is current (the scope TenancyScopeMiddleware opened for this request was lost)'
      : 'the current tenancy scope is not the scope TenancyScopeMiddleware opened for this request';
  return (
    `Request refused (500) at ${handlerName(context)}: ${cause}. A middleware between TenancyScopeMiddleware and the ` +
    'guard called next() from a callback that runs in another async context (a driver callback, ' +
    "an event listener, req.on('end')). Call next() from the middleware's own async context: " +
    'await the promise API (await pool.query(...)), or wrap it with AsyncResource.bind(next).'
  );
}

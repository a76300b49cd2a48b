import type { ExecutionContext } from '@nestjs/common';
import type { Tenant } from '../models/tenant.model';

// Keyed by per-call objects, so entries vanish with the call: no cleanup, no leak.
const handoffs = new WeakMap<object, Tenant | null>();

/**
 * @internal The object that is the same for the guard and the interceptors of one call: the
 * request for HTTP (Nest builds a new args array for each), the args array itself for RPC and
 * WebSocket (Nest's external context creator passes one array to guards and interceptors).
 */
function callKey(context: ExecutionContext): object {
  const request: unknown = context.getType() === 'http' ? context.getArgByIndex(0) : undefined;
  return typeof request === 'object' && request !== null ? request : context.getArgs();
}

/** @internal The guard leaves the tenant here when it has no scope to put it in. */
export function handOffTenant(context: ExecutionContext, tenant: Tenant | null): void {
  handoffs.set(callKey(context), tenant);
}

/** @internal The interceptor takes it; `undefined` when the guard left nothing. */
export function takeHandedOffTenant(context: ExecutionContext): Tenant | null | undefined {
  const key = callKey(context);
  const tenant = handoffs.get(key);
  handoffs.delete(key);
  return tenant;
}

/** @internal True when the guard handed a tenant off for this call and no interceptor took it. */
export function hasUntakenTenant(context: ExecutionContext): boolean {
  return !!handoffs.get(callKey(context));
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { TenantContextMissingError } from '../errors/tenant-context-missing.error';
import type { Tenant } from '../models/tenant.model';
import { TenancyScope } from './tenancy-scope';

/** @internal Slot marking a scope whose tenant came from a caller (`run`), not from the guard. */
export const CALLER_SUPPLIED = Symbol('tenancy:caller-supplied');

/** One storage for the process: every TenantContext instance reads the same scope. */
const storage = new AsyncLocalStorage<TenancyScope>();

/**
 * The current tenant. A singleton whose state lives in AsyncLocalStorage, so injecting it never
 * makes a consumer request-scoped; each request (or `run`) sees its own tenant.
 * @example
 * await tenantContext.run(tenant, () => this.reports.rebuild()); // cron, queue, CLI
 */
@Injectable()
export class TenantContext {
  /** The current tenant; throws `TenantContextMissingError` outside a tenant. */
  get tenant(): Tenant {
    const tenant = storage.getStore()?.tenant;
    if (!tenant) throw new TenantContextMissingError('Reading TenantContext.tenant');
    return tenant;
  }

  /** The current tenant, or `null` outside a tenant. */
  get tenantOrNull(): Tenant | null {
    return storage.getStore()?.tenant ?? null;
  }

  /**
   * Runs `fn` in a fresh scope for `tenant` and ends the scope (releasing any connection it
   * took) when `fn` returns or its promise settles. Nested calls get their own scope.
   */
  run<T>(tenant: Tenant, fn: () => T): T {
    const scope = new TenancyScope(tenant);
    // The caller supplied this object: the connection layer checks it is still the active tenant.
    scope.slots.set(CALLER_SUPPLIED, true);
    return runInScope(scope, fn);
  }

  /** @internal The scope of the current async context, if any. */
  get scope(): TenancyScope | undefined {
    return storage.getStore();
  }
}

/** @internal Runs `fn` inside `scope` and closes the scope once `fn` has finished. */
export function runInScope<T>(scope: TenancyScope, fn: () => T): T {
  return storage.run(scope, () => {
    let result: T;
    try {
      result = fn();
    } catch (error) {
      void scope.close();
      throw error;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).finally(() => scope.close()) as T;
    }
    void scope.close();
    return result;
  });
}

/** @internal Opens `scope` for the rest of this async context without closing it (middleware). */
export function openScope<T>(scope: TenancyScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** @internal */
export function currentScope(): TenancyScope | undefined {
  return storage.getStore();
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

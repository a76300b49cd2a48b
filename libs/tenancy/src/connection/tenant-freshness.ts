import { CALLER_SUPPLIED, currentScope } from '../context/tenant-context';
import { TenancyError } from '../errors/tenancy.error';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant } from '../models/tenant.model';
import type { TenantStore } from '../store/tenant-store.interface';

const VERIFIED = Symbol('tenancy:verified-tenants');

/**
 * @internal Refuses tenant objects that outlived their tenant (issue 12 item 4): deleted and
 * re-registered under the same identifier, suspended, or deleted. The guard's tenant was just
 * looked up, so the request path costs nothing; an object a caller supplies (`TenantContext.run`,
 * `getDataSource(tenant)`) is checked once per scope by id through the cached store (an L1 hit).
 */
export class TenantFreshness {
  constructor(private readonly store?: TenantStore) {}

  /** True when `tenant` needs no check: the guard put it in this (request) scope, or it was checked. */
  isTrusted(tenant: Tenant): boolean {
    if (!this.store) return true;
    const scope = currentScope();
    if (!scope) return false;
    if (scope.tenant === tenant && !scope.slots.has(CALLER_SUPPLIED)) return true;
    return (scope.slots.get(VERIFIED) as Set<Tenant> | undefined)?.has(tenant) === true;
  }

  /** @throws TenancyError when `tenant` is no longer the active tenant of its id. */
  async assertCurrent(tenant: Tenant): Promise<void> {
    if (this.isTrusted(tenant)) return;
    let stored: Tenant | undefined;
    try {
      stored = await this.store!.getById(tenant.id);
    } catch (error) {
      if (!(error instanceof TenantNotFoundError)) throw error;
    }
    if (!stored || stored.status !== 'active' || stored.identifier !== tenant.identifier) {
      throw new TenancyError(
        `This tenant object (id ${tenant.id}) is no longer the active tenant "${tenant.identifier}" ` +
          `(${stored ? `it is ${stored.status}` : 'it was deleted, perhaps re-registered under a new id'}): ` +
          'refusing to run work for it. Fetch the tenant again (admin.get) before TenantContext.run or getDataSource.',
      );
    }
    const scope = currentScope();
    if (!scope || scope.isClosed) return;
    let verified = scope.slots.get(VERIFIED) as Set<Tenant> | undefined;
    if (!verified) scope.slots.set(VERIFIED, (verified = new Set()));
    verified.add(tenant);
  }
}

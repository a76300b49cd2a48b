import { TenancyError } from '../errors/tenancy.error';
import type { TenantStatus } from '../models/tenant.model';

/**
 * A store refused a guarded write (see `TenantWriteGuard`) and changed nothing: `limit` when
 * `maxLive` would be exceeded, `status` when the tenant's status is not one of `from` (then
 * `current` is its status). Thrown by the library's stores; a custom store throws it too.
 */
export class TenantWriteRefusedError extends TenancyError {
  constructor(
    readonly reason: 'limit' | 'status',
    readonly tenant: string,
    readonly current?: TenantStatus,
  ) {
    super(
      reason === 'limit'
        ? `Tenant ${JSON.stringify(tenant)} was not written: the limit of live tenants is reached`
        : `Tenant ${JSON.stringify(tenant)} was not written: it is ${current ?? 'in another status'}`,
    );
  }
}

/** @internal Throws unless `current` is one of `guard.from` (when given). */
export function assertGuardedStatus(
  guard: { readonly from?: readonly TenantStatus[] },
  tenant: { identifier: string; status: TenantStatus },
): void {
  if (guard.from && !guard.from.includes(tenant.status))
    throw new TenantWriteRefusedError('status', tenant.identifier, tenant.status);
}

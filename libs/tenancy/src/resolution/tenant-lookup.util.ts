import type { Logger } from '@nestjs/common';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant } from '../models/tenant.model';
import type { TenantStore } from '../store/tenant-store.interface';
import { describeError } from './sync-or-async.util';
import { TenantResolutionError } from './tenant-resolution.error';

/**
 * @internal Reads the tenant from `store`: an L1 hit is returned as is (no promise); a miss goes
 * to the store. Throws or rejects with `unknown` (no such tenant) or `lookup_error` (the store
 * failed, logged).
 */
export function lookupTenantIn(store: TenantStore, identifier: string, logger: Logger): Tenant | Promise<Tenant> {
  const cached = store.peekByIdentifier?.(identifier);
  if (cached) return cached;
  if (cached === null) throw new TenantResolutionError('unknown', 'no such tenant (cached)', identifier);
  return store.getByIdentifier(identifier).catch((error: unknown) => {
    if (error instanceof TenantNotFoundError) throw new TenantResolutionError('unknown', 'no such tenant', identifier);
    logger.warn(`Tenant store lookup failed: ${describeError(error)}`);
    throw new TenantResolutionError('lookup_error', 'store failed', identifier);
  });
}

import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import type { TenantIsolation } from '../models/tenant.model';

/** The tier stored on premium tenants. */
export const PREMIUM_TIER = 'premium';

/**
 * @internal Where a new tenant is placed. Hybrid: `premiumIsolationStrategy` when `tier` is
 * `premium` or the identifier is listed in `premiumTenants`, otherwise `standardIsolationStrategy`.
 * Any other strategy applies to everyone.
 */
export function placeTenant(
  options: Pick<
    ResolvedTenancyOptions,
    'isolationStrategy' | 'premiumIsolationStrategy' | 'standardIsolationStrategy' | 'premiumTenants'
  >,
  identifier: string,
  tier: string | undefined,
): { isolationStrategy: TenantIsolation; tier: string } {
  const premium = tier === PREMIUM_TIER || options.premiumTenants.includes(identifier);
  const storedTier = tier ?? (premium ? PREMIUM_TIER : 'standard');
  if (options.isolationStrategy !== 'hybrid') return { isolationStrategy: options.isolationStrategy, tier: storedTier };
  const isolationStrategy = premium ? options.premiumIsolationStrategy : options.standardIsolationStrategy;
  return { isolationStrategy, tier: storedTier };
}

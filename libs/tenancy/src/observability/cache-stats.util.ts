import type { TenantCacheStats } from '../store/cached-tenant-store.options';
import type { TenantStore } from '../store/tenant-store.interface';
import type { TenancyMetrics } from './tenancy-metrics.types';

const NO_L1: TenancyMetrics['l1Cache'] = { size: 0, hits: 0, misses: 0, hitRatePct: 0 };
const NO_L2: TenancyMetrics['l2Cache'] = { enabled: false, hits: 0, misses: 0, errors: 0 };

/**
 * @internal The cache counters of `store` when it keeps any (`stats()`, as `CachedTenantStore`
 * does), zeros otherwise. Copies the fields so the metrics shape never grows by accident.
 */
export function cacheStats(store: TenantStore): Pick<TenancyMetrics, 'l1Cache' | 'l2Cache'> {
  const stats = (store as { stats?: () => TenantCacheStats }).stats?.();
  if (!stats) return { l1Cache: NO_L1, l2Cache: NO_L2 };
  const { l1, l2 } = stats;
  return {
    l1Cache: { size: l1.size, hits: l1.hits, misses: l1.misses, hitRatePct: l1.hitRatePct },
    l2Cache: { enabled: l2.enabled, hits: l2.hits, misses: l2.misses, errors: l2.errors },
  };
}

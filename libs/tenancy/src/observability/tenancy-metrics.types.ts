import type { RejectionReason } from '../resolution/rejection-reason';
import type { TenantStatus } from '../models/tenant.model';

/**
 * What `TenancyMetricsService.getMetrics()` (and `TenantAdminService.getMetrics()`) returns:
 * a snapshot of the tenant cache, connections, resolution counters and tenants by status.
 */
export interface TenancyMetrics {
  /** Whether `enableMetrics` (Prometheus exposition) is on. The snapshot itself is always available. */
  readonly metricsEnabled: boolean;
  /** In-process tenant cache. All 0 when `cacheEnabled` is off. `hitRatePct` is 0–100, one decimal. */
  readonly l1Cache: {
    readonly size: number;
    readonly hits: number;
    readonly misses: number;
    readonly hitRatePct: number;
  };
  /** Redis tenant cache (`enabled` only with `redisUrl`); `errors` counts failed Redis calls. */
  readonly l2Cache: {
    readonly enabled: boolean;
    readonly hits: number;
    readonly misses: number;
    readonly errors: number;
  };
  /** Database strategy: tenant DataSources open now, and the LRU bound (`maxCachedDataSources`). */
  readonly dataSources: { readonly cached: number; readonly max: number };
  /** The shared pool (PostgreSQL; 0s on drivers that expose no counts). */
  readonly pool: { readonly total: number; readonly idle: number; readonly waiting: number };
  /** Requests that got a tenant, and refusals (always the uniform 404) by reason. */
  readonly resolution: {
    readonly resolved: number;
    readonly rejected: { readonly byReason: Readonly<Record<RejectionReason, number>> };
  };
  /**
   * Statements refused by the scoping check at the bottom of the connection layer (a statement
   * through a tenant DataSource not scoped to that tenant). Anything above 0 deserves a look.
   */
  readonly scopeViolations: number;
  /** Tenants in the store, by status (every status present). */
  readonly tenants: { readonly byStatus: Readonly<Record<TenantStatus, number>> };
}

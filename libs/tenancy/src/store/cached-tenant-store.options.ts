import type { RedisOptions } from 'ioredis';

/** How long an unknown identifier (or id) is remembered as unknown: 5 s. */
export const NEGATIVE_CACHE_TTL_MS = 5_000;

/** Options of `CachedTenantStore`. */
export interface CachedTenantStoreOptions {
  /** L1 entries, per key kind (identifier, id). Default 1000 (`l1CacheMaxSize`). */
  readonly l1MaxSize?: number;
  /** Time to live of L1 and L2 entries. Default 60 s (`l1CacheTtlSeconds`). */
  readonly ttlSeconds?: number;
  /**
   * Redis for the L2 cache and cross-instance invalidation (`redisUrl`). Without it the cache
   * is L1 only and other instances learn of changes only when their entries expire.
   */
  readonly redisUrl?: string;
  /** Extra ioredis options (TLS, timeouts, ...), merged over the fail-fast defaults. */
  readonly redisOptions?: RedisOptions;
  /** Prefix of L2 keys and of the invalidation channel (`<namespace>invalidate`). Default `tenancy:`. */
  readonly namespace?: string;
  /** How long unknown keys are remembered. Default `NEGATIVE_CACHE_TTL_MS`; capped by the TTL. */
  readonly negativeTtlMs?: number;
  /** Also close the wrapped store in `close()`. Default `false`. */
  readonly closeInner?: boolean;
}

/** Counters for metrics, from `CachedTenantStore.stats()`. */
export interface TenantCacheStats {
  readonly l1: { readonly size: number; readonly hits: number; readonly misses: number; readonly hitRatePct: number };
  readonly l2: { readonly enabled: boolean; readonly hits: number; readonly misses: number; readonly errors: number };
}

/**
 * ioredis options that make commands fail fast instead of queueing while Redis is down (the
 * store then serves from L1 and the wrapped store), while reconnection keeps going in the
 * background.
 */
export const FAIL_FAST_REDIS_OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResubscribe: false,
  connectTimeout: 2_000,
  commandTimeout: 1_000,
  // ioredis arms this (ref'd) timer even when the socket is already closed, e.g. on close()
  // during an outage, which kept the process alive for the 2 s default.
  disconnectTimeout: 100,
  retryStrategy: (times: number) => Math.min(times * 200, 2_000),
};

/** The outcome of one request against a per-tenant limit. */
export interface RateLimitResult {
  /** Whether this request is within the limit. */
  readonly allowed: boolean;
  /** Requests still allowed in the current window. */
  readonly remaining: number;
  /** Seconds until the window resets (at least 1): the `Retry-After` value. */
  readonly retryAfterSeconds: number;
}

/**
 * Counts requests per key (the tenant id) in fixed windows. Implementations:
 * `MemoryRateLimiter` (one process) and `RedisRateLimiter` (shared by every instance).
 * Inject with `@Inject(RateLimiter)`.
 */
export interface RateLimiter {
  /** Counts one request for `key` and says whether it may pass. Never rejects for a backend failure. */
  consume(key: string): Promise<RateLimitResult>;
  /** Releases connections (called on shutdown). */
  close?(): Promise<void>;
}

/** Injection token of the `RateLimiter` (same name as the interface); `null` when rate limiting is off. */
export const RateLimiter = Symbol.for('nestjs-tenancy:RateLimiter');

/** Options every limiter reads. */
export interface RateLimitOptions {
  /** Requests allowed per window per key. */
  readonly rateLimitMaxRequests: number;
  /** Window length in seconds. */
  readonly rateLimitWindowSeconds: number;
}

/** @internal Builds a result from a window's count and the milliseconds left in it. */
export function rateLimitResult(count: number, max: number, msLeft: number): RateLimitResult {
  return {
    allowed: count <= max,
    remaining: Math.max(0, max - count),
    retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
  };
}

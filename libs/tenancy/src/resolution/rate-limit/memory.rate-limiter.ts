import { LRUCache } from 'lru-cache';
import {
  rateLimitResult,
  type RateLimiter,
  type RateLimitOptions,
  type RateLimitResult,
} from './rate-limiter.interface';

interface Window {
  count: number;
  readonly resetAt: number;
}

/**
 * Fixed-window limiter in this process: a window opens at a key's first request and lasts
 * `rateLimitWindowSeconds`; exactly `rateLimitMaxRequests` pass in it. Memory is bounded by an
 * LRU of `maxKeys` keys (least recently active keys are forgotten first, which only ever
 * resets their count).
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows: LRUCache<string, Window>;
  private readonly windowMs: number;

  constructor(
    private readonly options: RateLimitOptions,
    maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = options.rateLimitWindowSeconds * 1000;
    this.windows = new LRUCache<string, Window>({ max: maxKeys, ttl: this.windowMs });
  }

  consume(key: string): Promise<RateLimitResult> {
    return Promise.resolve(this.consumeNow(key));
  }

  /** The synchronous form of `consume` (used as the Redis limiter's fallback too). */
  consumeNow(key: string): RateLimitResult {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return rateLimitResult(window.count, this.options.rateLimitMaxRequests, window.resetAt - now);
  }
}

import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { MemoryRateLimiter } from './memory.rate-limiter';
import {
  rateLimitResult,
  type RateLimiter,
  type RateLimitOptions,
  type RateLimitResult,
} from './rate-limiter.interface';

/** Key namespace of the Redis limiter. */
export const RATE_LIMIT_KEY_PREFIX = 'tenancy:rl:';

// INCR and the expiry in one atomic step; PTTL < 0 also repairs a key that lost its expiry.
const CONSUME_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

/** Options of `RedisRateLimiter` beyond the limits. */
export interface RedisRateLimiterOptions {
  /** Key namespace. Default `tenancy:rl:`. */
  readonly keyPrefix?: string;
  /** Quit the client on `close()` (when the limiter created it). Default `false`. */
  readonly ownsClient?: boolean;
}

/**
 * Fixed-window limiter shared by every instance through Redis (`INCR` + `PEXPIRE` in one Lua
 * script, keys `tenancy:rl:<tenant id>`). While Redis is unreachable or failing it falls back to
 * an in-memory limiter with a warning, and returns to Redis once it answers again: a Redis
 * outage never turns into a 500.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly logger = new Logger(RedisRateLimiter.name);
  private readonly fallback: MemoryRateLimiter;
  private readonly keyPrefix: string;
  private degraded = false;

  constructor(
    private readonly client: Redis,
    private readonly options: RateLimitOptions,
    private readonly extra: RedisRateLimiterOptions = {},
  ) {
    this.fallback = new MemoryRateLimiter(options);
    this.keyPrefix = extra.keyPrefix ?? RATE_LIMIT_KEY_PREFIX;
  }

  async consume(key: string): Promise<RateLimitResult> {
    // Not connected: answer from memory at once instead of queueing behind a reconnect.
    if (this.client.status !== 'ready') return this.degrade(`connection is ${this.client.status}`, key);
    try {
      const windowMs = String(this.options.rateLimitWindowSeconds * 1000);
      const reply = (await this.client.eval(CONSUME_SCRIPT, 1, this.keyPrefix + key, windowMs)) as [number, number];
      this.recover();
      return rateLimitResult(Number(reply[0]), this.options.rateLimitMaxRequests, Number(reply[1]));
    } catch (error) {
      return this.degrade(error instanceof Error ? error.message : String(error), key);
    }
  }

  /**
   * Waits (at most `timeoutMs`) for the connection, so the first requests after start-up count
   * in Redis rather than in the fallback. Resolves `false` on timeout; never rejects.
   */
  async waitUntilReady(timeoutMs = 2000): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    if (this.extra.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }

  private degrade(why: string, key: string): RateLimitResult {
    if (!this.degraded) {
      this.degraded = true;
      this.logger.warn(`Redis rate limiting unavailable (${why}); limiting in memory per instance until it recovers`);
    }
    return this.fallback.consumeNow(key);
  }

  private recover(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log('Redis rate limiting recovered');
  }
}

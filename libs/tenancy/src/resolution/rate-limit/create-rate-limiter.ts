import type * as IORedis from 'ioredis';
import { loadOptionalPackage } from '../../config/optional-package.util';
import type { TenancyModuleOptions } from '../../config/tenancy-options.interface';
import { TENANCY_DEFAULTS } from '../../config/tenancy.defaults';
import { redisKeyPrefixOf } from '../../config/redis-key-prefix.util';
import { MemoryRateLimiter } from './memory.rate-limiter';
import type { RateLimiter } from './rate-limiter.interface';
import { RedisRateLimiter } from './redis.rate-limiter';

/**
 * The limiter for `enableRateLimiting`: shared through Redis when `redisUrl` is set (its own
 * connection, closed by `close()`), in memory otherwise; `null` when rate limiting is off.
 */
export function createRateLimiter(options: TenancyModuleOptions): RateLimiter | null {
  if (!options.enableRateLimiting) return null;
  const limits = {
    rateLimitMaxRequests: options.rateLimitMaxRequests ?? TENANCY_DEFAULTS.rateLimitMaxRequests,
    rateLimitWindowSeconds: options.rateLimitWindowSeconds ?? TENANCY_DEFAULTS.rateLimitWindowSeconds,
  };
  if (!options.redisUrl) return new MemoryRateLimiter(limits);
  // Fail fast while Redis is away (no offline queue, bounded commands): the limiter falls back.
  const { Redis } = loadOptionalPackage<typeof IORedis>('ioredis', 'redisUrl (TENANCY_REDIS_URL)');
  const client = new Redis(options.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
  });
  client.on('error', () => undefined); // reported by the limiter's fallback warning instead
  return new RedisRateLimiter(client, limits, { ownsClient: true, keyPrefix: `${redisKeyPrefixOf(options)}rl:` });
}

import type { Logger } from '@nestjs/common';
import { describeError } from '../sync-or-async.util';
import type { RateLimiter, RateLimitResult } from './rate-limiter.interface';

/**
 * @internal Counts one request against the tenant's limit: resolves with the limiter's answer
 * when it refuses, `null` when it allows. A broken limiter must not take the API down: it
 * allows the request, loudly (a warning).
 */
export async function rateLimitRefusal(
  limiter: RateLimiter,
  tenantId: string,
  logger: Logger,
): Promise<RateLimitResult | null> {
  let result: RateLimitResult;
  try {
    result = await limiter.consume(tenantId);
  } catch (error) {
    logger.warn(`Rate limiter failed, request allowed: ${describeError(error)}`);
    return null;
  }
  return result.allowed ? null : result;
}

import type { Redis } from 'ioredis';

/**
 * The status of the tenant cached in L2 under `<prefix>cache:ident:<identifier>`, or null when
 * there is no entry. Entries are `<epoch>|<tenant json>` (see `RedisTenantCache`).
 */
export async function l2Status(redis: Redis, prefix: string, identifier: string): Promise<string | null> {
  const value = await redis.get(`${prefix}cache:ident:${identifier}`);
  if (value === null) return null;
  return (JSON.parse(value.slice(value.indexOf('|') + 1)) as { status: string }).status;
}

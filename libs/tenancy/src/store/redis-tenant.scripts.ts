import { RedisScript } from './redis-script.util';

/**
 * @internal Reserves the identifier and writes the tenant in one atomic step.
 * KEYS: identifier index, tenant, all-tenants zset, status zset. ARGV: id, json, created-at ms.
 * Returns 1 when created, 0 when the identifier (or id) is taken.
 */
export const CREATE_TENANT = new RedisScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
return 1`);

/**
 * @internal Compare-and-set of a tenant (optimistic: the caller retries on 0).
 * KEYS: tenant, old status zset, new status zset. ARGV: expected json, new json, id, created-at ms.
 */
export const REPLACE_TENANT = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if KEYS[2] ~= KEYS[3] then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
end
return 1`);

/**
 * @internal Compare-and-delete of a tenant and its index entries.
 * KEYS: tenant, identifier index, all-tenants zset, status zset. ARGV: expected json, id.
 */
export const DELETE_TENANT = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[2])
return 1`);

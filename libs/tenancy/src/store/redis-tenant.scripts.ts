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

/**
 * @internal {@link CREATE_TENANT} refused (-1) while `max` tenants are not deleted.
 * KEYS: identifier index, tenant, all-tenants zset, status zset, `deleted` zset. ARGV: id, json,
 * created-at ms, max. Returns 1 created, 0 identifier or id taken, -1 limit reached.
 */
export const CREATE_TENANT_WITHIN_LIMIT = new RedisScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('ZCARD', KEYS[3]) - redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[4]) then return -1 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
return 1`);

/**
 * @internal {@link REPLACE_TENANT} refused (-1) while `max` other tenants are not deleted.
 * KEYS: tenant, old status zset, new status zset, all-tenants zset, `deleted` zset. ARGV: expected
 * json, new json, id, created-at ms, max, 1 when the tenant itself counts now (else 0).
 */
export const REPLACE_TENANT_WITHIN_LIMIT = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local others = redis.call('ZCARD', KEYS[4]) - redis.call('ZCARD', KEYS[5]) - tonumber(ARGV[6])
if others >= tonumber(ARGV[5]) then return -1 end
redis.call('SET', KEYS[1], ARGV[2])
if KEYS[2] ~= KEYS[3] then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
end
return 1`);

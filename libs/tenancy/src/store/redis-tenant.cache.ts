import type { Redis } from 'ioredis';
import type { Tenant } from '../models/tenant.model';
import type { RedisOutageMonitor } from './redis-outage.monitor';
import { RedisScript } from './redis-script.util';
import { tenantFromJson, tenantToJson } from './tenant-json.util';

/**
 * Writes a tenant unless a tombstone says a newer version was invalidated meanwhile.
 * KEYS: by id, by identifier, tombstone. ARGV: json, ttl ms, the tenant's updatedAt ms.
 */
const SET_UNLESS_STALE = new RedisScript(`
local tomb = redis.call('GET', KEYS[3])
if tomb and tonumber(tomb) > tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1`);

/**
 * Drops both entries and leaves a tombstone holding the newest invalidated version (kept if higher).
 * KEYS: by id, by identifier, tombstone. ARGV: version ms, ttl ms.
 */
const DELETE_WITH_TOMBSTONE = new RedisScript(`
redis.call('DEL', KEYS[1], KEYS[2])
local tomb = redis.call('GET', KEYS[3])
local version = ARGV[1]
if tomb and tonumber(tomb) > tonumber(version) then version = tomb end
redis.call('SET', KEYS[3], version, 'PX', ARGV[2])
return 1`);

/** Tombstone version of a deleted tenant: no earlier read may be written back. */
export const DELETED_VERSION = Number.MAX_SAFE_INTEGER;

/** Which key a tenant is cached under. */
export type TenantCacheKind = 'id' | 'identifier';

/**
 * @internal The L2 cache: tenants as JSON in Redis under `<ns>cache:id:<id>` and
 * `<ns>cache:ident:<identifier>`, with a TTL. Never throws: while Redis is not ready it is
 * skipped (no command is queued), and every error goes to the outage monitor. Every delete leaves
 * a tombstone (`<ns>cache:tomb:<id>`, the invalidated version's `updatedAt`, for one TTL), and a
 * write of an older version is refused atomically: a store read that began before a suspension
 * can never put the old state back after the suspension's delete.
 */
export class RedisTenantCache {
  hits = 0;
  misses = 0;

  constructor(
    private readonly redis: Redis,
    private readonly ns: string,
    private readonly ttlMs: number,
    private readonly monitor: RedisOutageMonitor,
  ) {}

  async get(kind: TenantCacheKind, key: string): Promise<Tenant | undefined> {
    if (!this.usable()) return undefined;
    try {
      const json = await this.redis.get(this.key(kind, key));
      if (json === null) this.misses++;
      else this.hits++;
      return json === null ? undefined : tenantFromJson(json);
    } catch (error) {
      this.monitor.failed(error);
      return undefined;
    }
  }

  async set(tenant: Tenant): Promise<void> {
    if (!this.usable()) return;
    const keys = [this.key('id', tenant.id), this.key('identifier', tenant.identifier), this.tombKey(tenant.id)];
    const args = [tenantToJson(tenant), this.ttlMs, tenant.updatedAt.getTime()];
    await SET_UNLESS_STALE.run(this.redis, keys, args).catch((error: unknown) => this.monitor.failed(error));
  }

  /** Drops the tenant's entries; `version` (the new state's `updatedAt` ms) refuses older writes. False if not sent. */
  async delete(id: string, identifier: string, version: number): Promise<boolean> {
    if (!this.usable()) return false;
    const keys = [this.key('id', id), this.key('identifier', identifier), this.tombKey(id)];
    try {
      await DELETE_WITH_TOMBSTONE.run(this.redis, keys, [version, this.ttlMs]);
      return true;
    } catch (error) {
      this.monitor.failed(error);
      return false;
    }
  }

  private tombKey(id: string): string {
    return `${this.ns}cache:tomb:${id}`;
  }

  private usable(): boolean {
    if (this.redis.status === 'ready') return true;
    if (this.redis.status === 'wait')
      this.redis.connect().catch(() => undefined); // errors reach the 'error' listener
    else if (this.monitor.isDown) this.monitor.errors++;
    return false;
  }

  private key(kind: TenantCacheKind, key: string): string {
    return `${this.ns}cache:${kind === 'id' ? 'id' : 'ident'}:${key}`;
  }
}

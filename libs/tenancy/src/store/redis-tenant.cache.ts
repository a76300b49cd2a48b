import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Tenant } from '../models/tenant.model';
import type { RedisOutageMonitor } from './redis-outage.monitor';
import { RedisScript } from './redis-script.util';
import { tenantFromCacheJson, tenantToJson } from './tenant-json.util';

/**
 * Writes a tenant unless a tombstone says a newer version was invalidated meanwhile. The value is
 * `<epoch>|<json>`: the registry's cache epoch (created when missing), see `retire()`.
 * KEYS: by id, by identifier, tombstone, epoch. ARGV: json, ttl ms, the tenant's updatedAt ms,
 * a fresh epoch in case there is none yet.
 */
const SET_UNLESS_STALE = new RedisScript(`
local tomb = redis.call('GET', KEYS[3])
if tomb and tonumber(tomb) > tonumber(ARGV[3]) then return 0 end
local epoch = redis.call('GET', KEYS[4])
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', KEYS[4], epoch)
end
redis.call('SET', KEYS[1], epoch .. '|' .. ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], epoch .. '|' .. ARGV[1], 'PX', ARGV[2])
return 1`);

/**
 * An entry of the current epoch: `{ json, remaining ttl ms }`, or nil (missing, or written in an
 * earlier epoch, or before any epoch). KEYS: the entry, epoch.
 */
const GET_CURRENT = new RedisScript(`
local value = redis.call('GET', KEYS[1])
if not value then return nil end
local epoch = redis.call('GET', KEYS[2])
local sep = string.find(value, '|', 1, true)
if not epoch or not sep or string.sub(value, 1, sep - 1) ~= epoch then return nil end
return { string.sub(value, sep + 1), redis.call('PTTL', KEYS[1]) }`);

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

/** An L2 hit: the tenant, and how long its entry still lives (L1 must not keep it longer). */
export interface L2Hit {
  readonly tenant: Tenant;
  readonly remainingMs: number;
}

/**
 * @internal The L2 cache: tenants as JSON in Redis under `<ns>cache:id:<id>` and
 * `<ns>cache:ident:<identifier>`, with a TTL. Never throws: while Redis is not ready it is
 * skipped (no command is queued), and every error goes to the outage monitor. Every delete leaves
 * a tombstone (`<ns>cache:tomb:<id>`, the invalidated version's `updatedAt`, for one TTL), and a
 * write of an older version is refused atomically: a store read that began before a suspension
 * can never put the old state back after the suspension's delete. Entries carry the registry's
 * epoch (`<ns>cache:epoch`); `retire()` starts a new one, so every entry written before it stops
 * being served at once (after an outage, when invalidations may have been lost). An entry is
 * served only when it names the tenant of its key and its twin agrees (`verified`).
 */
export class RedisTenantCache {
  hits = 0;
  misses = 0;
  private readonly logger = new Logger('CachedTenantStore');

  constructor(
    private readonly redis: Redis,
    private readonly ns: string,
    private readonly ttlMs: number,
    private readonly monitor: RedisOutageMonitor,
  ) {}

  async get(kind: TenantCacheKind, key: string): Promise<L2Hit | undefined> {
    if (!this.usable()) return undefined;
    try {
      const found = (await GET_CURRENT.run(this.redis, [this.key(kind, key), this.epochKey], [])) as
        [string, number] | null;
      const tenant = found === null ? undefined : await this.verified(kind, key, found[0]);
      if (tenant) this.hits++;
      else this.misses++;
      return tenant && found ? { tenant, remainingMs: Number(found[1]) } : undefined;
    } catch (error) {
      this.monitor.failed(error);
      return undefined;
    }
  }

  /**
   * The entry's tenant, only if it is the tenant its key names and the entry under its other key
   * (by id / by identifier, always written together) holds the same JSON: one wrong entry never
   * serves another tenant (issue 14). Anything else is dropped; the caller reloads from the store.
   */
  private async verified(kind: TenantCacheKind, key: string, json: string): Promise<Tenant | undefined> {
    const tenant = tenantFromCacheJson(json);
    const named = tenant !== null && (kind === 'id' ? tenant.id : tenant.identifier) === key;
    if (named) {
      const twin = await this.redis.get(
        kind === 'id' ? this.key('identifier', tenant.identifier) : this.key('id', tenant.id),
      );
      if (twin !== null && twin.slice(twin.indexOf('|') + 1) === json) return tenant;
    } else {
      this.logger.warn(`Dropped an L2 cache entry that does not hold the tenant its key names (by ${kind})`);
    }
    // A half-expired pair is dropped quietly too; the store read writes both entries again.
    await this.redis.del(this.key(kind, key));
    return undefined;
  }

  /** Caches `tenant` for `ttlMs` (the rest of the TTL of the store read that produced it). */
  async set(tenant: Tenant, ttlMs = this.ttlMs): Promise<void> {
    if (!this.usable() || ttlMs < 1) return;
    const keys = [this.key('id', tenant.id), this.key('identifier', tenant.identifier), this.tombKey(tenant.id)];
    const args = [tenantToJson(tenant), Math.floor(ttlMs), tenant.updatedAt.getTime(), randomUUID()];
    await SET_UNLESS_STALE.run(this.redis, [...keys, this.epochKey], args).catch((error: unknown) =>
      this.monitor.failed(error),
    );
  }

  /** Starts a new epoch: every entry written before is no longer served. False if not sent. */
  async retire(): Promise<boolean> {
    if (!this.usable()) return false;
    try {
      await this.redis.set(this.epochKey, randomUUID());
      return true;
    } catch (error) {
      this.monitor.failed(error);
      return false;
    }
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

  private get epochKey(): string {
    return `${this.ns}cache:epoch`;
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

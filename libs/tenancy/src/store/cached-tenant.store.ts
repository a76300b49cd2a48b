import { Logger } from '@nestjs/common';
import { redisKeyPrefixOf } from '../config/redis-key-prefix.util';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenancyError } from '../errors/tenancy.error';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant, TenantStatus } from '../models/tenant.model';
import {
  NEGATIVE_CACHE_TTL_MS,
  type CachedTenantStoreOptions,
  type TenantCacheStats,
} from './cached-tenant-store.options';
import { RedisOutageMonitor } from './redis-outage.monitor';
import { DELETED_VERSION, type TenantCacheKind } from './redis-tenant.cache';
import { RedisTenantReplication } from './redis-tenant.replication';
import type { TenantInvalidation } from './tenant-invalidation.bus';
import { MISSING, TenantL1Cache, type Flight } from './tenant-l1.cache';
import { freezeTenant } from './tenant-record.util';
import type {
  CreateTenantInput,
  ListTenantsQuery,
  TenantPatch,
  TenantStore,
  TenantWriteGuard,
} from './tenant-store.interface';

/** Patch fields that move a tenant or change whether it is served. */
const PLACEMENT_FIELDS: ReadonlyArray<keyof TenantPatch> = ['status', 'isolationStrategy', 'databaseUrl'];

function sameVersion(a: Tenant, b: Tenant): boolean {
  return a.updatedAt.getTime() === b.updatedAt.getTime() && a.status === b.status && a.identifier === b.identifier;
}

/**
 * A `TenantStore` decorator with two cache levels in front of another store: L1 an in-process
 * LRU with TTL (by identifier and by id), L2 Redis with the same TTL (an L2 hit refills L1).
 * - Unknown keys are remembered for `NEGATIVE_CACHE_TTL_MS`, and concurrent misses of one key
 *   share one lookup, so a flood of bogus identifiers does not reach the store.
 * - create/update/setStatus/delete invalidate here, in L2, and in every other instance through
 *   Redis pub/sub (`<namespace>invalidate`).
 * - Redis errors never surface: the store answers from L1 and the wrapped store, and logs one
 *   warning per outage. Invalidations it could not send are sent when Redis is back. When the
 *   subscription comes back after a break, L2 starts a new epoch (every entry written before is
 *   retired) and L1 is dropped: messages missed meanwhile cannot leave a stale copy.
 * - Bound: a cached copy (L1 or L2) is never served more than `ttlSeconds` after the store read
 *   that produced it, so a change reaches every instance within `ttlSeconds` of its write even
 *   when every message about it is lost (its sender died during an outage).
 * Tenants handed out are frozen and shared: do not mutate their dates.
 * @example
 * const store = new CachedTenantStore(await TypeOrmTenantStore.open(url), { redisUrl });
 * await store.connect();
 * const tenant = store.peekByIdentifier('acme') ?? (await store.getByIdentifier('acme'));
 */
export class CachedTenantStore implements TenantStore {
  private readonly l1: TenantL1Cache;
  private readonly monitor = new RedisOutageMonitor(new Logger(CachedTenantStore.name));
  /** L2 and cross-instance invalidation (`redisUrl` set). */
  private readonly redis?: RedisTenantReplication;
  private hits = 0;
  private misses = 0;
  private closing?: Promise<void>;
  private readonly placementListeners: Array<(tenantId: string) => void> = [];
  private readonly ttlMs: number;

  constructor(
    private readonly inner: TenantStore,
    private readonly options: CachedTenantStoreOptions = {},
  ) {
    const ttlMs = (this.ttlMs = (options.ttlSeconds ?? 60) * 1000);
    const negativeTtlMs = Math.min(options.negativeTtlMs ?? NEGATIVE_CACHE_TTL_MS, ttlMs);
    this.l1 = new TenantL1Cache(options.l1MaxSize ?? 1000, ttlMs, negativeTtlMs);
    if (!options.redisUrl) return;
    const onRemote = (change: TenantInvalidation): void => {
      this.l1.drop(change);
      if (change.placement) for (const listener of this.placementListeners) listener(change.id);
    };
    const redisOptions = { ...options, redisUrl: options.redisUrl };
    this.redis = new RedisTenantReplication(redisOptions, ttlMs, this.l1, this.monitor, onRemote);
  }

  /** Options from the module's resolved options (`l1CacheMaxSize`, `l1CacheTtlSeconds`, `redisUrl`, `redisKeyPrefix`). */
  static optionsFrom(options: ResolvedTenancyOptions): CachedTenantStoreOptions {
    return {
      l1MaxSize: options.l1CacheMaxSize,
      ttlSeconds: options.l1CacheTtlSeconds,
      redisUrl: options.redisUrl,
      namespace: redisKeyPrefixOf(options),
    };
  }

  /** Connects Redis and subscribes to invalidations. Never rejects (Redis being down is not fatal). */
  async connect(): Promise<void> {
    await this.redis?.connect();
  }

  /**
   * The L1 entry of `identifier`, synchronously, for the per-request hot path: the tenant on a
   * hit, `null` when it is known not to exist, `undefined` when L1 does not know (then call
   * `getByIdentifier`).
   */
  peekByIdentifier(identifier: string): Tenant | null | undefined {
    const hit = this.l1.byIdentifier.get(identifier);
    if (hit === undefined) return undefined;
    this.hits++;
    return hit === MISSING ? null : hit;
  }

  getByIdentifier(identifier: string): Promise<Tenant> {
    const hit = this.l1.byIdentifier.get(identifier);
    if (hit === undefined) return this.miss('identifier', identifier);
    this.hits++;
    return hit === MISSING ? Promise.reject(new TenantNotFoundError(identifier)) : Promise.resolve(hit);
  }

  getById(id: string): Promise<Tenant> {
    const hit = this.l1.byId.get(id);
    if (hit === undefined) return this.miss('id', id);
    this.hits++;
    return hit === MISSING ? Promise.reject(new TenantNotFoundError(id)) : Promise.resolve(hit);
  }

  /**
   * The tenant as the wrapped store has it now (never a cached copy), for admin decisions. A
   * cached copy (L1 here, or L2) of another version is invalidated everywhere: the cache heals
   * when an admin looks, even if the invalidation that should have dropped it was lost.
   */
  async getFromStore(kind: TenantCacheKind, key: string): Promise<Tenant> {
    let tenant: Tenant;
    try {
      tenant = freezeTenant(kind === 'id' ? await this.inner.getById(key) : await this.inner.getByIdentifier(key));
    } catch (error) {
      const cached = (kind === 'id' ? this.l1.byId : this.l1.byIdentifier).get(key);
      if (error instanceof TenantNotFoundError && cached && cached !== MISSING)
        await this.invalidated(cached, true, DELETED_VERSION);
      throw error;
    }
    const l1 = this.l1.byId.get(tenant.id);
    const copies = [l1 === MISSING ? undefined : l1, (await this.redis?.l2.get('id', tenant.id))?.tenant];
    if (copies.some((copy) => copy && !sameVersion(copy, tenant))) await this.invalidated(tenant, true);
    return tenant;
  }

  /**
   * `listener(tenantId)` runs when another instance changed where a tenant lives or whether it is
   * served (strategy, database URL, status, deletion), so cached connections can be evicted.
   */
  onPlacementChange(listener: (tenantId: string) => void): void {
    this.placementListeners.push(listener);
  }

  list(query?: ListTenantsQuery): Promise<Tenant[]> {
    return this.inner.list(query);
  }

  count(query?: Pick<ListTenantsQuery, 'status'>): Promise<number> {
    return this.inner.count(query);
  }

  async create(input: CreateTenantInput, guard?: Pick<TenantWriteGuard, 'maxLive'>): Promise<Tenant> {
    return this.invalidated(await this.inner.create(input, guard));
  }

  async update(id: string, patch: TenantPatch): Promise<Tenant> {
    const placement = PLACEMENT_FIELDS.some((field) => patch[field] !== undefined);
    return this.invalidated(await this.inner.update(id, patch), placement);
  }

  /** The wrapped store's atomic merge, then invalidation everywhere. */
  async updateMetadata(id: string, patch: Record<string, unknown>): Promise<Tenant> {
    if (!this.inner.updateMetadata)
      throw new TenancyError('the wrapped TenantStore has no updateMetadata (atomic merge)');
    return this.invalidated(await this.inner.updateMetadata(id, patch));
  }

  async setStatus(id: string, status: TenantStatus, guard?: TenantWriteGuard): Promise<Tenant> {
    return this.invalidated(await this.inner.setStatus(id, status, guard), true);
  }

  async delete(id: string): Promise<void> {
    const tenant = await this.inner.getById(id);
    await this.inner.delete(id);
    await this.invalidated(tenant, true, DELETED_VERSION);
  }

  /** Hit and error counters for metrics. `l1.size` counts entries by identifier (negative ones included). */
  stats(): TenantCacheStats {
    const lookups = this.hits + this.misses;
    const hitRatePct = lookups ? Math.round((this.hits / lookups) * 1000) / 10 : 0;
    const l2 = {
      enabled: !!this.redis,
      hits: this.redis?.l2.hits ?? 0,
      misses: this.redis?.l2.misses ?? 0,
      errors: this.monitor.errors,
    };
    return { l1: { size: this.l1.byIdentifier.size, hits: this.hits, misses: this.misses, hitRatePct }, l2 };
  }

  /** Quits the Redis clients (and closes the wrapped store with `closeInner`). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.redis?.close();
      if (this.options.closeInner) await this.inner.close?.();
    })();
    return this.closing;
  }

  private miss(kind: TenantCacheKind, key: string): Promise<Tenant> {
    this.misses++;
    return this.l1.singleFlight(kind, key, (flight) => this.lookup(kind, key, flight));
  }

  /**
   * Every copy cached from here lives at most the TTL counted from `started` (before the store
   * read), and an L1 copy of an L2 entry no longer than that entry: the bound of issue 18 holds
   * whether or not an invalidation arrives (a lost one, or its sender died).
   */
  private async lookup(kind: TenantCacheKind, key: string, flight: Flight): Promise<Tenant> {
    const started = performance.now();
    const hit = await this.redis?.liveL2?.get(kind, key);
    if (hit) {
      if (!flight.stale) this.l1.fill(hit.tenant, hit.remainingMs - (performance.now() - started));
      return hit.tenant;
    }
    let tenant: Tenant;
    try {
      tenant = freezeTenant(kind === 'id' ? await this.inner.getById(key) : await this.inner.getByIdentifier(key));
    } catch (error) {
      if (error instanceof TenantNotFoundError && !flight.stale) this.l1.markMissing(kind, key);
      throw error;
    }
    if (!flight.stale) {
      const remainingMs = this.ttlMs - (performance.now() - started);
      this.l1.fill(tenant, remainingMs);
      void this.redis?.liveL2?.set(tenant, remainingMs);
    }
    return tenant;
  }

  /** `version`: the new state's `updatedAt` ms; L2 refuses writes of older reads (see `RedisTenantCache`). */
  private async invalidated<T extends Tenant>(
    tenant: T,
    placement = false,
    version = tenant.updatedAt.getTime(),
  ): Promise<T> {
    this.l1.drop(tenant);
    await this.redis?.invalidate({ id: tenant.id, identifier: tenant.identifier, placement }, version);
    return tenant;
  }
}

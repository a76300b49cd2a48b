import { LRUCache } from 'lru-cache';
import type { Tenant } from '../models/tenant.model';
import type { TenantCacheKind } from './redis-tenant.cache';
import type { TenantInvalidation } from './tenant-invalidation.bus';

/** L1 value for "known not to exist". */
export const MISSING: unique symbol = Symbol('tenant-missing');
/** What L1 holds per key. */
export type L1Entry = Tenant | typeof MISSING;

/** One lookup in flight; `stale` once an invalidation of its key arrived meanwhile. */
export interface Flight {
  readonly promise: Promise<Tenant>;
  stale: boolean;
}

/**
 * @internal The in-process level: two lru-cache LRUs with TTL (by identifier, by id), negative
 * entries with their own short TTL, and the single-flight map of lookups in progress. A flight
 * overtaken by an invalidation still answers its callers but caches nothing: it may have read
 * the old value.
 */
export class TenantL1Cache {
  readonly byIdentifier: LRUCache<string, L1Entry>;
  readonly byId: LRUCache<string, L1Entry>;
  private readonly pending = { id: new Map<string, Flight>(), identifier: new Map<string, Flight>() };

  constructor(
    maxSize: number,
    private readonly ttlMs: number,
    private readonly negativeTtlMs: number,
  ) {
    this.byIdentifier = new LRUCache<string, L1Entry>({ max: maxSize, ttl: ttlMs });
    this.byId = new LRUCache<string, L1Entry>({ max: maxSize, ttl: ttlMs });
  }

  /** Joins the lookup of `key` in progress, or starts one with `start`. */
  singleFlight(kind: TenantCacheKind, key: string, start: (flight: Flight) => Promise<Tenant>): Promise<Tenant> {
    const pending = this.pending[kind];
    const inFlight = pending.get(key);
    if (inFlight) return inFlight.promise;
    const flight = { stale: false } as { promise: Promise<Tenant>; stale: boolean };
    flight.promise = start(flight).finally(() => {
      if (pending.get(key) === flight) pending.delete(key);
    });
    pending.set(key, flight);
    return flight.promise;
  }

  /** Caches `tenant` for `ttlMs` at most (default: the full TTL); nothing when no time is left. */
  fill(tenant: Tenant, ttlMs?: number): void {
    if (ttlMs !== undefined && ttlMs < 1) return;
    const options = ttlMs === undefined ? undefined : { ttl: Math.min(Math.floor(ttlMs), this.ttlMs) };
    this.byIdentifier.set(tenant.identifier, tenant, options);
    this.byId.set(tenant.id, tenant, options);
  }

  markMissing(kind: TenantCacheKind, key: string): void {
    (kind === 'id' ? this.byId : this.byIdentifier).set(key, MISSING, { ttl: this.negativeTtlMs });
  }

  drop({ id, identifier }: TenantInvalidation): void {
    this.byId.delete(id);
    this.byIdentifier.delete(identifier);
    this.abandon(this.pending.id, id);
    this.abandon(this.pending.identifier, identifier);
  }

  clear(): void {
    this.byId.clear();
    this.byIdentifier.clear();
    for (const pending of [this.pending.id, this.pending.identifier]) {
      for (const key of [...pending.keys()]) this.abandon(pending, key);
    }
  }

  private abandon(pending: Map<string, Flight>, key: string): void {
    const flight = pending.get(key);
    if (!flight) return;
    flight.stale = true;
    pending.delete(key);
  }
}

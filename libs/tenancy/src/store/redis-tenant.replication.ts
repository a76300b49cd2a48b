import type * as IORedis from 'ioredis';
import type { Redis } from 'ioredis';
import { loadOptionalPackage } from '../config/optional-package.util';
import { type CachedTenantStoreOptions, FAIL_FAST_REDIS_OPTIONS } from './cached-tenant-store.options';
import type { RedisOutageMonitor } from './redis-outage.monitor';
import { RedisTenantCache } from './redis-tenant.cache';
import { type TenantInvalidation, TenantInvalidationBus } from './tenant-invalidation.bus';
import type { TenantL1Cache } from './tenant-l1.cache';

interface PendingInvalidation {
  readonly change: TenantInvalidation;
  /** The new state's `updatedAt` ms; L2 refuses writes of older reads (see `RedisTenantCache`). */
  readonly version: number;
}

/**
 * @internal The Redis side of `CachedTenantStore`: the clients, L2, and cross-instance
 * invalidation, kept consistent through outages.
 * - Invalidations Redis did not take are kept and sent again, in full, when it is back.
 * - When the subscription breaks, L2 is paused (not read nor written: invalidations may be
 *   missed); when it comes back, a new L2 epoch retires every entry written before and L1 is
 *   dropped, so a missed message cannot leave a stale copy.
 * Redis errors never surface: they go to the outage monitor (one warning per outage).
 */
export class RedisTenantReplication {
  /** L2, whether paused or not (for reads that must see any copy, e.g. `getFromStore`). */
  readonly l2: RedisTenantCache;
  private readonly clients: Redis[] = [];
  private readonly bus: TenantInvalidationBus;
  private paused = false;
  private readonly unsent = new Map<string, PendingInvalidation>();

  constructor(
    options: CachedTenantStoreOptions & { readonly redisUrl: string },
    ttlMs: number,
    private readonly l1: TenantL1Cache,
    private readonly monitor: RedisOutageMonitor,
    onRemote: (change: TenantInvalidation) => void,
  ) {
    const ns = options.namespace ?? 'tenancy:';
    const { Redis: RedisClient } = loadOptionalPackage<typeof IORedis>('ioredis', 'redisUrl (TENANCY_REDIS_URL)');
    const redis = this.track(
      new RedisClient(options.redisUrl, { ...FAIL_FAST_REDIS_OPTIONS, ...options.redisOptions }),
    );
    redis.on('ready', () => {
      this.monitor.recovered();
      void this.resend();
      void this.resync();
    });
    const subscriber = this.track(redis.duplicate());
    this.l2 = new RedisTenantCache(redis, ns, ttlMs, monitor);
    const handlers = {
      onRemote,
      onSubscribed: (again: boolean) => {
        this.l1.clear();
        if (again) void this.resync();
      },
      onLost: () => (this.paused = true),
    };
    this.bus = new TenantInvalidationBus(redis, subscriber, `${ns}invalidate`, handlers, monitor);
  }

  /** L2 to read and fill, or `undefined` while paused (the subscription broke). */
  get liveL2(): RedisTenantCache | undefined {
    return this.paused ? undefined : this.l2;
  }

  /** Connects Redis and subscribes to invalidations. Never rejects (Redis being down is not fatal). */
  async connect(): Promise<void> {
    const [redis] = this.clients;
    if (redis.status === 'wait') await redis.connect().catch(() => undefined);
    await this.bus.start();
  }

  /**
   * Drops the tenant from L2 (with a tombstone at `version`) and tells the other instances; kept
   * for a resend when Redis did not take both. A kept `placement` is not lost by a later change.
   */
  async invalidate(change: TenantInvalidation, version: number): Promise<void> {
    const known = this.unsent.get(change.id);
    const entry = { change: { ...change, placement: !!change.placement || !!known?.change.placement }, version };
    if (!(await this.send(entry))) this.unsent.set(change.id, entry);
    else this.unsent.delete(change.id);
  }

  /** Quits the clients (disconnects those not ready). */
  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map((c) => (c.status === 'ready' ? c.quit() : c.disconnect())));
  }

  /** The L2 delete (with its tombstone) and the publish of one invalidation; false unless both went. */
  private async send({ change, version }: PendingInvalidation): Promise<boolean> {
    const deleted = await this.l2.delete(change.id, change.identifier, version);
    const published = await this.bus.publish(change);
    return deleted && published;
  }

  /**
   * The subscription is back after a break (invalidations may have been missed meanwhile): a new
   * L2 epoch retires every entry written before, then L1 is dropped again (lookups in between went
   * to the store). Until that went through, L2 stays paused; the next 'ready' retries.
   */
  private async resync(): Promise<void> {
    if (!this.paused || !this.bus.isSubscribed) return;
    if (!(await this.l2.retire()) || !this.bus.isSubscribed) return;
    this.l1.clear();
    this.paused = false;
  }

  /** Redis is back: every invalidation it missed is sent now (until each one went through). */
  private async resend(): Promise<void> {
    for (const [id, entry] of [...this.unsent]) {
      if (await this.send(entry)) {
        if (this.unsent.get(id) === entry) this.unsent.delete(id);
      }
    }
  }

  private track(client: Redis): Redis {
    // Errors are reported through the monitor (one warning per outage), never thrown.
    client.on('error', (error: unknown) => this.monitor.failed(error));
    this.clients.push(client);
    return client;
  }
}

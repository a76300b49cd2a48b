import type { Redis } from 'ioredis';
import type { Tenant } from '../models/tenant.model';
import type { RedisOutageMonitor } from './redis-outage.monitor';
import { tenantFromJson, tenantToJson } from './tenant-json.util';

/** Which key a tenant is cached under. */
export type TenantCacheKind = 'id' | 'identifier';

/**
 * @internal The L2 cache: tenants as JSON in Redis under `<ns>cache:id:<id>` and
 * `<ns>cache:ident:<identifier>`, with a TTL. Never throws: while Redis is not ready it is
 * skipped (no command is queued), and every error goes to the outage monitor.
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
    const json = tenantToJson(tenant);
    const pipeline = this.redis.multi();
    pipeline.set(this.key('id', tenant.id), json, 'PX', this.ttlMs);
    pipeline.set(this.key('identifier', tenant.identifier), json, 'PX', this.ttlMs);
    await pipeline.exec().catch((error: unknown) => this.monitor.failed(error));
  }

  async delete(id: string, identifier: string): Promise<void> {
    if (!this.usable()) return;
    await this.redis
      .del(this.key('id', id), this.key('identifier', identifier))
      .catch((error: unknown) => this.monitor.failed(error));
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

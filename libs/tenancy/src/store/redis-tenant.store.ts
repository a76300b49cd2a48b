import type * as IORedis from 'ioredis';
import type { Redis } from 'ioredis';
import { loadOptionalPackage } from '../config/optional-package.util';
import { TenantAlreadyExistsError } from '../errors/tenant-already-exists.error';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant, TenantStatus } from '../models/tenant.model';
import {
  CREATE_TENANT,
  CREATE_TENANT_WITHIN_LIMIT,
  DELETE_TENANT,
  REPLACE_TENANT,
  REPLACE_TENANT_WITHIN_LIMIT,
} from './redis-tenant.scripts';
import { tenantFromJson, tenantToJson } from './tenant-json.util';
import { mergeMetadata, splitMetadataPatch } from './metadata-merge.util';
import { buildTenant, patchTenant } from './tenant-record.util';
import type {
  CreateTenantInput,
  ListTenantsQuery,
  TenantPatch,
  TenantStore,
  TenantWriteGuard,
} from './tenant-store.interface';
import { assertGuardedStatus, TenantWriteRefusedError } from './tenant-write-refused.error';

/** Options of `RedisTenantStore`. */
export interface RedisTenantStoreOptions {
  /** Prefix of every key. Default `tenancy:`. On Redis Cluster use a hash tag, e.g. `{tenancy}:`. */
  readonly namespace?: string;
}

const MAX_CAS_ATTEMPTS = 20;

/**
 * A `TenantStore` in Redis. Keys (under `namespace`): `tenant:<id>` (JSON), `ident:<identifier>`
 * (→ id), `by-created` and `status:<status>` (sorted sets scored by creation time, so ties order
 * by id). Writes are Lua scripts: creating reserves the identifier atomically, updates and deletes
 * are compare-and-set. Give it a URL (it then owns the client) or an ioredis client (yours).
 * @example
 * const store = new RedisTenantStore('redis://127.0.0.1:6379', { namespace: 'app:tenancy:' });
 */
export class RedisTenantStore implements TenantStore {
  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private readonly ns: string;

  constructor(redis: Redis | string, options: RedisTenantStoreOptions = {}) {
    this.ownsClient = typeof redis === 'string';
    this.redis =
      typeof redis === 'string'
        ? new (loadOptionalPackage<typeof IORedis>('ioredis', 'RedisTenantStore from a URL').Redis)(redis)
        : redis;
    this.ns = options.namespace ?? 'tenancy:';
  }

  async create(input: CreateTenantInput, guard: Pick<TenantWriteGuard, 'maxLive'> = {}): Promise<Tenant> {
    const tenant = buildTenant(input);
    const keys = [
      this.identKey(tenant.identifier),
      this.tenantKey(tenant.id),
      this.allKey(),
      this.statusKey(tenant.status),
    ];
    const args = [tenant.id, tenantToJson(tenant), tenant.createdAt.getTime()];
    const created =
      guard.maxLive === undefined
        ? await CREATE_TENANT.run(this.redis, keys, args)
        : await CREATE_TENANT_WITHIN_LIMIT.run(
            this.redis,
            [...keys, this.statusKey('deleted')],
            [...args, guard.maxLive],
          );
    if (created === -1) throw new TenantWriteRefusedError('limit', tenant.identifier);
    if (created !== 1) throw new TenantAlreadyExistsError(tenant.identifier);
    return tenantFromJson(tenantToJson(tenant));
  }

  async getById(id: string): Promise<Tenant> {
    const json = await this.redis.get(this.tenantKey(id));
    if (json === null) throw new TenantNotFoundError(id);
    return tenantFromJson(json);
  }

  async getByIdentifier(identifier: string): Promise<Tenant> {
    const id = await this.redis.get(this.identKey(identifier));
    const json = id === null ? null : await this.redis.get(this.tenantKey(id));
    if (json === null) throw new TenantNotFoundError(identifier);
    return tenantFromJson(json);
  }

  async list(query: ListTenantsQuery = {}): Promise<Tenant[]> {
    const start = Math.max(0, query.offset ?? 0);
    if (query.limit !== undefined && query.limit <= 0) return [];
    const stop = query.limit === undefined ? -1 : start + query.limit - 1;
    const ids = await this.redis.zrange(this.setKey(query.status), start, stop);
    if (!ids.length) return [];
    const jsons = await this.redis.mget(...ids.map((id) => this.tenantKey(id)));
    return jsons.filter((j): j is string => j !== null).map(tenantFromJson);
  }

  async update(id: string, patch: TenantPatch): Promise<Tenant> {
    return this.compareAndSet(id, () => patch);
  }

  /** Top-level merge (`null` removes a key), compare-and-set in a Lua script: no merge is lost. */
  async updateMetadata(id: string, patch: Record<string, unknown>): Promise<Tenant> {
    const changes = splitMetadataPatch(patch);
    return this.compareAndSet(id, (before) => ({ metadata: mergeMetadata(before.metadata, changes) }));
  }

  private async compareAndSet(id: string, patchOf: (before: Tenant) => TenantPatch): Promise<Tenant> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.redis.get(this.tenantKey(id));
      if (current === null) throw new TenantNotFoundError(id);
      const before = tenantFromJson(current);
      const after = patchTenant(before, patchOf(before));
      const json = tenantToJson(after);
      const keys = [this.tenantKey(id), this.statusKey(before.status), this.statusKey(after.status)];
      if ((await REPLACE_TENANT.run(this.redis, keys, [current, json, id, after.createdAt.getTime()])) === 1) {
        return tenantFromJson(json);
      }
    }
    throw new Error(`RedisTenantStore: tenant ${id} kept changing; update gave up after ${MAX_CAS_ATTEMPTS} attempts`);
  }

  /** Guarded: compare-and-set on the status read, the limit counted in the same script. */
  async setStatus(id: string, status: TenantStatus, guard: TenantWriteGuard = {}): Promise<Tenant> {
    if (guard.from === undefined && guard.maxLive === undefined) return this.update(id, { status });
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.redis.get(this.tenantKey(id));
      if (current === null) throw new TenantNotFoundError(id);
      const before = tenantFromJson(current);
      assertGuardedStatus(guard, before);
      const json = tenantToJson(patchTenant(before, { status }));
      const keys = [this.tenantKey(id), this.statusKey(before.status), this.statusKey(status)];
      const args = [current, json, id, before.createdAt.getTime()];
      const limited = guard.maxLive !== undefined && status !== 'deleted';
      const done = limited
        ? await REPLACE_TENANT_WITHIN_LIMIT.run(
            this.redis,
            [...keys, this.allKey(), this.statusKey('deleted')],
            [...args, guard.maxLive!, before.status === 'deleted' ? 0 : 1],
          )
        : await REPLACE_TENANT.run(this.redis, keys, args);
      if (done === -1) throw new TenantWriteRefusedError('limit', before.identifier);
      if (done === 1) return tenantFromJson(json);
    }
    throw new Error(
      `RedisTenantStore: tenant ${id} kept changing; setStatus gave up after ${MAX_CAS_ATTEMPTS} attempts`,
    );
  }

  async delete(id: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.redis.get(this.tenantKey(id));
      if (current === null) throw new TenantNotFoundError(id);
      const { identifier, status } = tenantFromJson(current);
      const keys = [this.tenantKey(id), this.identKey(identifier), this.allKey(), this.statusKey(status)];
      if ((await DELETE_TENANT.run(this.redis, keys, [current, id])) === 1) return;
    }
    throw new Error(`RedisTenantStore: tenant ${id} kept changing; delete gave up after ${MAX_CAS_ATTEMPTS} attempts`);
  }

  async count(query: Pick<ListTenantsQuery, 'status'> = {}): Promise<number> {
    return this.redis.zcard(this.setKey(query.status));
  }

  /** Quits the Redis client when this store created it from a URL. */
  async close(): Promise<void> {
    if (this.ownsClient && this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private tenantKey(id: string): string {
    return `${this.ns}tenant:${id}`;
  }
  private identKey(identifier: string): string {
    return `${this.ns}ident:${identifier}`;
  }
  private allKey(): string {
    return `${this.ns}by-created`;
  }
  private statusKey(status: TenantStatus): string {
    return `${this.ns}status:${status}`;
  }
  private setKey(status: TenantStatus | undefined): string {
    return status === undefined ? this.allKey() : this.statusKey(status);
  }
}

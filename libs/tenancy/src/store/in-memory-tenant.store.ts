import { TenantAlreadyExistsError } from '../errors/tenant-already-exists.error';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant, TenantStatus } from '../models/tenant.model';
import { mergeMetadata, splitMetadataPatch } from './metadata-merge.util';
import { buildTenant, compareTenants, freezeTenant, patchTenant } from './tenant-record.util';
import type {
  CreateTenantInput,
  ListTenantsQuery,
  TenantPatch,
  TenantStore,
  TenantWriteGuard,
} from './tenant-store.interface';
import { assertGuardedStatus, TenantWriteRefusedError } from './tenant-write-refused.error';

/**
 * A `TenantStore` in process memory, for tests and single-process demos. Every method hands out
 * frozen copies, so callers cannot change stored tenants. Lost on restart.
 * @example
 * const store = new InMemoryTenantStore();
 * await store.create({ identifier: 'acme', name: 'Acme', isolationStrategy: 'schema' });
 */
export class InMemoryTenantStore implements TenantStore {
  private readonly byId = new Map<string, Tenant>();
  private readonly idByIdentifier = new Map<string, string>();

  async create(input: CreateTenantInput, guard: Pick<TenantWriteGuard, 'maxLive'> = {}): Promise<Tenant> {
    // Check and insert with no await in between: atomic on the one JS thread.
    const tenant = buildTenant(input);
    if (this.idByIdentifier.has(tenant.identifier) || this.byId.has(tenant.id)) {
      throw new TenantAlreadyExistsError(tenant.identifier);
    }
    if (guard.maxLive !== undefined && this.liveExcept() >= guard.maxLive)
      throw new TenantWriteRefusedError('limit', tenant.identifier);
    return this.put(tenant);
  }

  async getById(id: string): Promise<Tenant> {
    return freezeTenant(this.require(id));
  }

  async getByIdentifier(identifier: string): Promise<Tenant> {
    const id = this.idByIdentifier.get(identifier);
    const tenant = id === undefined ? undefined : this.byId.get(id);
    if (!tenant) throw new TenantNotFoundError(identifier);
    return freezeTenant(tenant);
  }

  async list(query: ListTenantsQuery = {}): Promise<Tenant[]> {
    const offset = Math.max(0, query.offset ?? 0);
    const end = query.limit === undefined ? undefined : offset + Math.max(0, query.limit);
    return [...this.byId.values()]
      .filter((t) => query.status === undefined || t.status === query.status)
      .sort(compareTenants)
      .slice(offset, end)
      .map(freezeTenant);
  }

  async update(id: string, patch: TenantPatch): Promise<Tenant> {
    return this.put(patchTenant(this.require(id), patch));
  }

  /** Top-level merge (`null` removes a key); atomic on the one JS thread. */
  async updateMetadata(id: string, patch: Record<string, unknown>): Promise<Tenant> {
    const tenant = this.require(id);
    return this.put(patchTenant(tenant, { metadata: mergeMetadata(tenant.metadata, splitMetadataPatch(patch)) }));
  }

  async setStatus(id: string, status: TenantStatus, guard: TenantWriteGuard = {}): Promise<Tenant> {
    const current = this.require(id);
    assertGuardedStatus(guard, current);
    if (guard.maxLive !== undefined && status !== 'deleted' && this.liveExcept(id) >= guard.maxLive)
      throw new TenantWriteRefusedError('limit', current.identifier);
    return this.put(patchTenant(current, { status }));
  }

  async delete(id: string): Promise<void> {
    const tenant = this.require(id);
    this.byId.delete(id);
    this.idByIdentifier.delete(tenant.identifier);
  }

  async count(query: Pick<ListTenantsQuery, 'status'> = {}): Promise<number> {
    if (query.status === undefined) return this.byId.size;
    let n = 0;
    for (const t of this.byId.values()) if (t.status === query.status) n++;
    return n;
  }

  /** Tenants not `deleted`, `id` left out. */
  private liveExcept(id?: string): number {
    let n = 0;
    for (const t of this.byId.values()) if (t.status !== 'deleted' && t.id !== id) n++;
    return n;
  }

  private require(id: string): Tenant {
    const tenant = this.byId.get(id);
    if (!tenant) throw new TenantNotFoundError(id);
    return tenant;
  }

  private put(tenant: Tenant): Tenant {
    const stored = freezeTenant(tenant);
    this.byId.set(stored.id, stored);
    this.idByIdentifier.set(stored.identifier, stored.id);
    return freezeTenant(stored);
  }
}

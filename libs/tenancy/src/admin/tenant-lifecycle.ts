import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenantConnectionManager } from '../connection/tenant-connection.manager';
import { TenancyError } from '../errors/tenancy.error';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import { TenantProvisioner } from '../isolation/tenant-provisioner';
import { isUuidShaped } from '../models/tenant-identifier';
import type { Tenant, TenantStatus } from '../models/tenant.model';
import { TenantStore, type ListTenantsQuery, type TenantPatch } from '../store/tenant-store.interface';
import { TenantWriteRefusedError } from '../store/tenant-write-refused.error';
import { TENANCY_OPTIONS } from '../tenancy.constants';
import type { DeleteTenantOptions } from './admin.types';
import { TenantFieldCrypto } from './tenant-field-crypto';
import { tenantLimitError } from './registration-input.util';
import { assertSamePlacement, validatePatch } from './tenant-patch.util';

/** Patch fields that change how a tenant is reached: cached resources must go (status changes evict too). */
const PLACEMENT_FIELDS = ['isolationStrategy', 'databaseUrl'] as const;

/**
 * @internal get, list, update, suspend, activate, delete. Every write goes through the injected
 * `TenantStore`, which (when cached) invalidates L1/L2 on every instance; placement and status
 * changes also evict the tenant's connection resources here.
 */
@Injectable()
export class TenantLifecycle {
  constructor(
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
    @Inject(TenantStore) private readonly store: TenantStore,
    private readonly provisioner: TenantProvisioner,
    private readonly connections: TenantConnectionManager,
    private readonly crypto: TenantFieldCrypto,
  ) {}

  /**
   * By id when `idOrIdentifier` is UUID-shaped, else by identifier: never both, so an identifier
   * chosen to look like another tenant's id cannot redirect an admin action (issue 11). Read from
   * the store past the cache (issue 18): a stale cached status must not decide an admin write.
   */
  async get(idOrIdentifier: string): Promise<Tenant> {
    if (typeof idOrIdentifier !== 'string') throw new TenantNotFoundError(String(idOrIdentifier));
    const kind = isUuidShaped(idOrIdentifier) ? 'id' : 'identifier';
    if (this.store.getFromStore) return this.store.getFromStore(kind, idOrIdentifier);
    return kind === 'id' ? this.store.getById(idOrIdentifier) : this.store.getByIdentifier(idOrIdentifier);
  }

  list(query: ListTenantsQuery = {}): Promise<Tenant[]> {
    return this.store.list(query);
  }

  /**
   * Validated like a registration; placement changes are refused (they go through promotion);
   * a status change follows the rules of `suspend`/`activate`/`delete` and is written first.
   */
  async update(idOrIdentifier: string, patch: TenantPatch): Promise<Tenant> {
    const { status, ...fields } = validatePatch(patch);
    const tenant = await this.get(idOrIdentifier);
    if (fields.isolationStrategy !== undefined || fields.databaseUrl !== undefined) {
      const plain = (url: string | null | undefined) =>
        this.crypto.decrypt({ ...tenant, databaseUrl: url ?? null, metadata: {} }).databaseUrl;
      assertSamePlacement(
        tenant,
        { ...fields, databaseUrl: fields.databaseUrl && plain(fields.databaseUrl) },
        plain(tenant.databaseUrl),
      );
    }
    const current = status === undefined ? tenant : await this.changeStatus(tenant, status);
    if (Object.keys(fields).length === 0) return current;
    const updated = await this.store.update(tenant.id, this.crypto.forStore(fields));
    if (PLACEMENT_FIELDS.some((field) => fields[field] !== undefined)) this.connections.evict(tenant.id);
    return updated;
  }

  async updateMetadata(idOrIdentifier: string, patch: Record<string, unknown>): Promise<Tenant> {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
      throw new TenancyError('updateMetadata(id, patch): patch must be a plain object');
    if (!this.store.updateMetadata)
      throw new TenancyError('updateMetadata needs a TenantStore with updateMetadata (an atomic merge)');
    const tenant = await this.get(idOrIdentifier);
    return this.store.updateMetadata(tenant.id, this.secretsEncrypted(patch));
  }

  async suspend(idOrIdentifier: string): Promise<Tenant> {
    return this.changeStatus(await this.get(idOrIdentifier), 'suspended');
  }

  /** Serves the tenant again: from `suspended`, or restores a soft-deleted one. */
  async activate(idOrIdentifier: string): Promise<Tenant> {
    return this.changeStatus(await this.get(idOrIdentifier), 'active');
  }

  async delete(idOrIdentifier: string, options: DeleteTenantOptions = {}): Promise<void> {
    const tenant = await this.get(idOrIdentifier);
    // Stop serving it everywhere first; a hard delete that fails half-way can be run again.
    if (tenant.status !== 'deleted') await this.setStatus(tenant, 'deleted');
    if (!options.hard) return;
    // RLS without tenant entities: no tenant tables, so no rows to delete.
    if (tenant.isolationStrategy !== 'rls' || this.connections.entityList.length > 0)
      await this.provisioner.dropStorage(tenant);
    await this.store.delete(tenant.id);
    this.connections.evict(tenant.id);
  }

  /**
   * The one place status transitions are checked (`suspend`, `activate`, `update({ status })`),
   * written only if the status is still the one read. Restoring a soft-deleted tenant makes it
   * count again, so `maxTenants` applies as to a registration.
   */
  private async changeStatus(tenant: Tenant, status: TenantStatus): Promise<Tenant> {
    const action = status === 'suspended' ? 'suspend' : status === 'active' ? 'activate' : 'delete';
    if (status === 'suspended') this.assertFrom(tenant, ['active', 'suspended'], action);
    if (status === 'active') this.assertFrom(tenant, ['active', 'suspended', 'deleted'], action);
    if (tenant.status === status) return tenant;
    const max = status === 'active' && tenant.status === 'deleted' ? this.options.maxTenants : undefined;
    try {
      if (max && (await this.store.count()) - (await this.store.count({ status: 'deleted' })) >= max)
        throw new TenantWriteRefusedError('limit', tenant.identifier);
      const guard = { from: [tenant.status], ...(max ? { maxLive: max } : {}) };
      const updated = await this.store.setStatus(tenant.id, status, guard);
      this.connections.evict(tenant.id);
      return updated;
    } catch (error) {
      if (!(error instanceof TenantWriteRefusedError)) throw error;
      const why =
        error.reason === 'limit' ? tenantLimitError(max ?? 0).message : `it became ${error.current} meanwhile`;
      throw new TenancyError(`Cannot ${action} tenant "${tenant.identifier}": ${why}`);
    }
  }

  private async setStatus(tenant: Tenant, status: TenantStatus): Promise<Tenant> {
    if (tenant.status === status) return tenant;
    const updated = await this.store.setStatus(tenant.id, status);
    this.connections.evict(tenant.id);
    return updated;
  }

  /** `_enc_*` values encrypted; removals (`null`) and `undefined` passed through as they are. */
  private secretsEncrypted(patch: Record<string, unknown>): Record<string, unknown> {
    const values = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null && v !== undefined));
    const encrypted = this.crypto.forStore({ metadata: values }).metadata ?? {};
    return { ...patch, ...encrypted };
  }

  private assertFrom(tenant: Tenant, allowed: TenantStatus[], action: string): void {
    if (allowed.includes(tenant.status)) return;
    const hint =
      tenant.status === 'provisioning'
        ? ' (a crashed registration can be removed with delete(id, { hard: true }))'
        : '';
    throw new TenancyError(`Cannot ${action} tenant "${tenant.identifier}": it is ${tenant.status}${hint}`);
  }
}

import { TenancyMetricsService } from '../observability/tenancy-metrics.service';
import { Inject, Injectable } from '@nestjs/common';
import { TenantConnectionManager } from '../connection/tenant-connection.manager';
import type { Tenant } from '../models/tenant.model';
import { TenantStore, type ListTenantsQuery, type TenantPatch } from '../store/tenant-store.interface';
import type {
  DeleteTenantOptions,
  KeyRotationReport,
  MigrationReport,
  MigrationRunOptions,
  RegisterTenantInput,
  TenancyAdminMetrics,
  TenantMigrationStatus,
} from './admin.types';
import { KeyRotation } from './key-rotation';
import { MigrationRunner } from './migration-runner';
import { TenantFieldCrypto } from './tenant-field-crypto';
import { TenantLifecycle } from './tenant-lifecycle';
import { TenantRegistration } from './tenant-registration';

/**
 * Tenant administration: registration with rollback, lifecycle, field encryption and
 * per-tenant migrations. Every write goes through the `TenantStore`, so a cached store
 * invalidates every instance. Tenants are returned as stored (encrypted fields stay
 * `enc::…`); `decrypt(tenant)` gives the plain values. Methods taking an `id` also accept the
 * identifier.
 * @example
 * const tenant = await admin.register({ identifier: 'acme', name: 'Acme' });
 * const report = await admin.migrate({ concurrency: 8 });
 * if (report.failed) process.exitCode = 1;
 */
@Injectable()
export class TenantAdminService {
  constructor(
    private readonly registration: TenantRegistration,
    private readonly lifecycle: TenantLifecycle,
    private readonly migrations: MigrationRunner,
    private readonly keys: KeyRotation,
    private readonly crypto: TenantFieldCrypto,
    private readonly connections: TenantConnectionManager,
    @Inject(TenantStore) private readonly store: TenantStore,
    private readonly metrics: TenancyMetricsService,
  ) {}

  /**
   * Validates, reserves the identifier (status `provisioning`), creates the schema or database,
   * runs the migrations (or synchronizes the entities when none are configured) and returns the
   * `active` tenant. Hybrid: `tier: 'premium'` or an identifier in `premiumTenants` gets
   * `premiumIsolationStrategy`. Any failure undoes what this call created.
   * @throws TenantAlreadyExistsError when the identifier is taken (deleted tenants included).
   * @throws TenantProvisioningError naming the failed step: `validate`, `reserve` (also when
   *   `maxTenants` is reached), `create_storage`, `migrate` or `activate`.
   */
  register(input: RegisterTenantInput): Promise<Tenant> {
    return this.registration.register(input);
  }

  /** @throws TenantNotFoundError */
  get(idOrIdentifier: string): Promise<Tenant> {
    return this.lifecycle.get(idOrIdentifier);
  }

  /** Tenants by `createdAt`, optionally of one status and paged. */
  list(query: ListTenantsQuery = {}): Promise<Tenant[]> {
    return this.lifecycle.list(query);
  }

  /**
   * Changes fields, validated like a registration; `databaseUrl` and `_enc_*` metadata are
   * encrypted before they are stored. Refuses placement changes (another `isolationStrategy`, or
   * a `databaseUrl` of another database): nothing would move the data. `status` follows the rules
   * of `suspend`/`activate`/`delete`.
   * @throws TenancyError naming the refused field.
   */
  update(id: string, patch: TenantPatch): Promise<Tenant> {
    return this.lifecycle.update(id, patch);
  }

  /**
   * Merges `patch` into the tenant's metadata atomically (concurrent merges, and a key rotation
   * beside them, never lose one another): each key replaces the stored value, `null` removes the
   * key. Values under `_enc_*` keys are encrypted before they are stored.
   * @example await admin.updateMetadata('acme', { plan: 'gold', _enc_apiKey: 'sk-…', trial: null });
   */
  updateMetadata(id: string, patch: Record<string, unknown>): Promise<Tenant> {
    return this.lifecycle.updateMetadata(id, patch);
  }

  /** Stops serving the tenant (requests get 404); data is kept. */
  suspend(id: string): Promise<Tenant> {
    return this.lifecycle.suspend(id);
  }

  /** Serves a suspended tenant again, or restores a soft-deleted one (which needs room under `maxTenants`). */
  activate(id: string): Promise<Tenant> {
    return this.lifecycle.activate(id);
  }

  /**
   * Soft by default: status `deleted`, data kept, identifier still reserved. `{ hard: true }`
   * drops the schema or database (a database the tenant brought is never dropped; under RLS its
   * rows are deleted from every tenant table), then the row.
   */
  delete(id: string, options: DeleteTenantOptions = {}): Promise<void> {
    return this.lifecycle.delete(id, options);
  }

  /**
   * A frozen copy of `tenant` with `databaseUrl` and `_enc_*` metadata decrypted (unchanged when
   * encryption is off). Synchronous.
   * @throws TenantDecryptionError for a tampered or truncated value, or one no configured key opens.
   */
  decrypt(tenant: Tenant): Tenant {
    return this.crypto.decrypt(tenant);
  }

  /**
   * Runs the pending migrations in every tenant's schema or database (default: all `active` and
   * `suspended` tenants), `concurrency` (default 4) at a time, and once in the shared RLS tables
   * (one line, `shared RLS tables`, listing the RLS tenants). Keeps going past failures; see
   * {@link MigrationReport}.
   */
  migrate(options: MigrationRunOptions = {}): Promise<MigrationReport> {
    return this.migrations.migrate(options);
  }

  /**
   * Synchronize mode (no `migrations` configured): brings every existing tenant's tables up to the
   * entities (a new entity's table, a new column), the shared RLS tables once; same options and
   * report as `migrate` (outcome `synchronized`). A change that would drop a column or table is
   * refused for that tenant (`failed`, naming the statement), nothing changed. CLI: `tenants:sync`.
   * @throws TenancyConfigError when `migrations` are configured: run `migrate` instead.
   */
  synchronize(options: MigrationRunOptions = {}): Promise<MigrationReport> {
    return this.migrations.synchronize(options);
  }

  /** Reverts the last applied migration of each tenant; same options and report as `migrate`. */
  revertMigration(options: MigrationRunOptions = {}): Promise<MigrationReport> {
    return this.migrations.revert(options);
  }

  /**
   * Applied and pending migration names of each tenant (same selection as `migrate`); a name no
   * tenant has is a line with `status: null` and the error `migrate` reports for it.
   */
  migrationStatus(
    options: Pick<MigrationRunOptions, 'tenants' | 'concurrency'> = {},
  ): Promise<TenantMigrationStatus[]> {
    return this.migrations.status(options);
  }

  /**
   * After a new `encryptionKey` was configured (old ones moved to `encryptionKeys`): rewrites
   * every tenant still holding older-key or plain values under the current key.
   * @returns how many tenants were read, re-encrypted, and could not be decrypted.
   * @throws TenancyConfigError when encryption is off.
   */
  rotateEncryptionKey(): Promise<KeyRotationReport> {
    return this.keys.rotate();
  }

  /**
   * `{ metricsEnabled, l1Cache, l2Cache, dataSources, pool, resolution, tenants: { byStatus } }`:
   * the same snapshot as `TenancyMetricsService.getMetrics()`.
   */
  getMetrics(): Promise<TenancyAdminMetrics> {
    return this.metrics.getMetrics();
  }
}

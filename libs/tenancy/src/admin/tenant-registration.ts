import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenantConnectionManager } from '../connection/tenant-connection.manager';
import { TenantDatabaseOptions } from '../connection/tenant-database.options';
import { TenancyError } from '../errors/tenancy.error';
import { TenantAlreadyExistsError } from '../errors/tenant-already-exists.error';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import { TenantProvisioningError } from '../errors/tenant-provisioning.error';
import { TenantProvisioner } from '../isolation/tenant-provisioner';
import type { Tenant } from '../models/tenant.model';
import { TenantStore, type CreateTenantInput } from '../store/tenant-store.interface';
import { TENANCY_OPTIONS } from '../tenancy.constants';
import type { RegisterTenantInput } from './admin.types';
import { TenantFieldCrypto } from './tenant-field-crypto';
import { identifierLabel, validateRegistration } from './registration-input.util';

/** The steps of `register`, named by `TenantProvisioningError.step`. */
export type ProvisioningStep = 'validate' | 'reserve' | 'create_storage' | 'migrate' | 'activate';

/**
 * @internal `register`: validate, reserve the identifier (status `provisioning`), create the
 * schema or database, migrate, activate. A failure undoes what this call created, in reverse.
 * Losing a race for an identifier throws `TenantAlreadyExistsError` and touches nothing.
 */
@Injectable()
export class TenantRegistration {
  private readonly logger = new Logger('TenantAdminService');

  constructor(
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
    @Inject(TenantStore) private readonly store: TenantStore,
    private readonly provisioner: TenantProvisioner,
    private readonly databases: TenantDatabaseOptions,
    private readonly connections: TenantConnectionManager,
    private readonly crypto: TenantFieldCrypto,
  ) {}

  async register(input: RegisterTenantInput): Promise<Tenant> {
    const draft = this.validate(input);
    const tenant = await this.reserve(draft);
    let step: ProvisioningStep = 'create_storage';
    try {
      await this.provisioner.createStorage(tenant);
      step = 'migrate';
      await this.provisioner.migrate(tenant);
      step = 'activate';
      return await this.store.setStatus(tenant.id, 'active');
    } catch (cause) {
      await this.rollBack(tenant, step);
      throw new TenantProvisioningError(tenant.identifier, step, cause);
    }
  }

  private validate(input: RegisterTenantInput): CreateTenantInput {
    try {
      const draft = validateRegistration(input, this.options);
      // Physical names are refused here when over the dialect's limit (never truncated).
      if (draft.isolationStrategy === 'schema') this.provisioner.schemaName(draft);
      if (draft.isolationStrategy === 'database' && !draft.databaseUrl) this.databases.databaseName(draft);
      return this.crypto.forStore(draft);
    } catch (cause) {
      throw new TenantProvisioningError(identifierLabel(input), 'validate', cause);
    }
  }

  private async reserve(draft: CreateTenantInput): Promise<Tenant> {
    let tenant: Tenant | undefined;
    try {
      await this.assertRoom(false);
      tenant = await this.store.create(draft);
      // Concurrent registrations of other identifiers may both pass the first check.
      await this.assertRoom(true);
      return tenant;
    } catch (cause) {
      if (cause instanceof TenantAlreadyExistsError) throw cause;
      if (tenant) await this.undo(tenant, 'reserve', 'delete its row', () => this.store.delete(tenant!.id));
      throw new TenantProvisioningError(draft.identifier, 'reserve', cause);
    }
  }

  /** `maxTenants` counts every tenant that is not `deleted` (this one included once inserted). */
  private async assertRoom(inserted: boolean): Promise<void> {
    const max = this.options.maxTenants;
    if (!max) return;
    const live = (await this.store.count()) - (await this.store.count({ status: 'deleted' }));
    if (inserted ? live > max : live >= max) {
      throw new TenancyError(`the tenant limit is reached (maxTenants = ${max}, TENANCY_MAX_TENANTS)`);
    }
  }

  private async rollBack(tenant: Tenant, failedAt: ProvisioningStep): Promise<void> {
    // RLS tenants own no storage until they have rows, and they cannot have any before `active`.
    if (tenant.isolationStrategy !== 'rls') {
      await this.undo(tenant, failedAt, 'drop its storage', () => this.provisioner.dropStorage(tenant));
    }
    await this.undo(tenant, failedAt, 'delete its row', () => this.store.delete(tenant.id));
    this.connections.evict(tenant.id);
  }

  private async undo(
    tenant: Tenant,
    failedAt: ProvisioningStep,
    what: string,
    fn: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await fn();
    } catch (error) {
      if (error instanceof TenantNotFoundError) return;
      const why = error instanceof Error ? error.message : String(error);
      this.logger.error(`Rolling back tenant "${tenant.identifier}" after step ${failedAt}: could not ${what}: ${why}`);
    }
  }
}

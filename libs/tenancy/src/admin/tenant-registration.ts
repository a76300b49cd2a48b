import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenantConnectionManager } from '../connection/tenant-connection.manager';
import { TenantDatabaseOptions } from '../connection/tenant-database.options';
import { TenancyError } from '../errors/tenancy.error';
import { TenantAlreadyExistsError } from '../errors/tenant-already-exists.error';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import { TenantProvisioningError } from '../errors/tenant-provisioning.error';
import { TenantProvisioner } from '../isolation/tenant-provisioner';
import { TenantStorageInspector, type ExistingStorage } from '../isolation/tenant-storage.inspector';
import type { Tenant } from '../models/tenant.model';
import { TenantStore, type CreateTenantInput } from '../store/tenant-store.interface';
import { TenantWriteRefusedError } from '../store/tenant-write-refused.error';
import { TENANCY_OPTIONS } from '../tenancy.constants';
import type { RegisterTenantInput } from './admin.types';
import { TenantFieldCrypto } from './tenant-field-crypto';
import { identifierLabel, tenantLimitError, validateRegistration } from './registration-input.util';

/** What a registration did so far, for its rollback. */
interface Provisioned {
  /** What the storage held before; unset until known (then nothing was created). */
  existing?: ExistingStorage;
  /** Migrations applied before this call (storage that existed already). */
  appliedBefore: string[];
}

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
    private readonly inspector: TenantStorageInspector,
  ) {}

  async register(input: RegisterTenantInput): Promise<Tenant> {
    const draft = this.validate(input);
    const tenant = await this.reserve(draft);
    const done: Provisioned = { appliedBefore: [] };
    let step: ProvisioningStep = 'create_storage';
    try {
      await this.claimStorage(tenant, input.adoptExistingStorage === true, done);
      step = 'migrate';
      await this.provisioner.migrate(tenant);
      step = 'activate';
      // Only a tenant still provisioning: one deleted meanwhile must not come back to life.
      return await this.store.setStatus(tenant.id, 'active', { from: ['provisioning'] });
    } catch (cause) {
      await this.rollBack(tenant, step, done);
      throw new TenantProvisioningError(tenant.identifier, step, notActivated(cause));
    }
  }

  /** Creates the storage, or takes existing storage: empty, or non-empty when adopted. */
  private async claimStorage(tenant: Tenant, adopt: boolean, done: Provisioned): Promise<void> {
    const existing = await this.inspector.inspect(tenant);
    if (existing === 'non-empty' && !adopt) {
      throw new TenancyError(
        `${this.inspector.label(tenant)} already exists and is not empty: refusing to give it to tenant ` +
          `"${tenant.identifier}". Adopt it deliberately with register({ ..., adoptExistingStorage: true }) ` +
          '(CLI: tenants:create --adopt), or drop it first.',
      );
    }
    done.existing = existing;
    if (existing === 'none') return this.provisioner.createStorage(tenant);
    done.appliedBefore = (await this.provisioner.status(tenant)).applied;
  }

  private validate(input: RegisterTenantInput): CreateTenantInput {
    try {
      const draft = validateRegistration(input, this.options);
      this.assertSomethingToCreate();
      // Physical names are refused here when over the dialect's limit (never truncated).
      if (draft.isolationStrategy === 'schema') this.provisioner.schemaName(draft);
      if (draft.isolationStrategy === 'database' && !draft.databaseUrl) this.databases.databaseName(draft);
      return this.crypto.forStore(draft);
    } catch (cause) {
      throw new TenantProvisioningError(identifierLabel(input), 'validate', cause);
    }
  }

  /** Without entities or migrations a tenant would get no tables, and every request would fail. */
  private assertSomethingToCreate(): void {
    if (this.connections.entityList.length > 0 || this.options.migrations.length > 0) return;
    throw new TenancyError(
      'no tenant entities (TenancyModule.forFeature([...]) or the entities option) and no migrations ' +
        '(the migrations option): the tenant would get no tables. Import the module that calls forFeature ' +
        '(also in the CLI module), or configure migrations.',
    );
  }

  /**
   * `maxTenants` counts every tenant that is not `deleted`. The store counts and inserts as one
   * step (a lock or script), so with one place left exactly one of concurrent registrations wins.
   */
  private async reserve(draft: CreateTenantInput): Promise<Tenant> {
    const max = this.options.maxTenants;
    try {
      // Refuses early without writing (and is the only check a store ignoring the guard gives).
      if (max && (await this.store.count()) - (await this.store.count({ status: 'deleted' })) >= max)
        throw tenantLimitError(max);
      return await this.store.create(draft, max ? { maxLive: max } : {});
    } catch (cause) {
      if (cause instanceof TenantAlreadyExistsError) throw cause;
      const why = cause instanceof TenantWriteRefusedError && max ? tenantLimitError(max) : cause;
      throw new TenantProvisioningError(draft.identifier, 'reserve', why);
    }
  }

  private async rollBack(tenant: Tenant, failedAt: ProvisioningStep, done: Provisioned): Promise<void> {
    // RLS tenants own no storage until they have rows, and they cannot have any before `active`.
    // Storage that existed before this call is never dropped: only what the call did is undone.
    if (tenant.isolationStrategy !== 'rls' && done.existing === 'none') {
      await this.undo(tenant, failedAt, 'drop its storage', () => this.provisioner.dropStorage(tenant));
    } else if (tenant.isolationStrategy !== 'rls' && done.existing) {
      const existing = done.existing;
      await this.undo(tenant, failedAt, 'undo its migrations', async () => {
        const applied = (await this.provisioner.status(tenant)).applied;
        const mine = applied.filter((name) => !done.appliedBefore.includes(name)).length;
        await this.provisioner.undoProvisioning(tenant, mine, existing === 'empty');
      });
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

function notActivated(cause: unknown): unknown {
  if (!(cause instanceof TenantWriteRefusedError) || cause.reason !== 'status') return cause;
  return new TenancyError(
    `it was ${cause.current ?? 'changed'} while it was being provisioned, so it was not activated`,
  );
}

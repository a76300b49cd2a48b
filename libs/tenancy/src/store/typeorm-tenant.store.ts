import {
  DataSource,
  In,
  Not,
  Table,
  type EntityManager,
  type DataSourceOptions,
  type FindOptionsWhere,
  type QueryDeepPartialEntity,
  type Repository,
} from 'typeorm';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { TenantAlreadyExistsError } from '../errors/tenant-already-exists.error';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant, TenantStatus } from '../models/tenant.model';
import { dataSourceOptionsFromUrl } from './data-source-options.util';
import { mergeMetadata, mergeMetadataInPlace, splitMetadataPatch } from './metadata-merge.util';
import { isDuplicateKeyError } from './duplicate-key.util';
import { tenantEntitySchema, type TenantRow } from './tenant.entity';
import { buildTenant, cleanPatch, freezeTenant, isUuid } from './tenant-record.util';
import type {
  CreateTenantInput,
  ListTenantsQuery,
  TenantPatch,
  TenantStore,
  TenantWriteGuard,
} from './tenant-store.interface';
import { registryLock } from './registry-lock.util';
import { TenantWriteRefusedError } from './tenant-write-refused.error';

const MAX_INT = 2_147_483_647;

/** Options of `TypeOrmTenantStore`. */
export interface TypeOrmTenantStoreOptions {
  /** Destroy the DataSource in `close()`. Default `false`: the caller owns it. */
  readonly ownsDataSource?: boolean;
}

/**
 * A `TenantStore` on a `tenants` table (PostgreSQL, MySQL/MariaDB, SQLite, SQL Server).
 * The DataSource must list `tenantEntitySchema(type)`; `TypeOrmTenantStore.dataSourceOptions(url)`
 * does that. Identifier uniqueness rests on the table's unique constraint, so concurrent
 * creates of one identifier are safe across processes.
 * @example
 * const store = await TypeOrmTenantStore.open('postgresql://app@db/master'); // owns its DataSource
 * await store.create({ identifier: 'acme', name: 'Acme', isolationStrategy: 'schema' });
 */
export class TypeOrmTenantStore implements TenantStore {
  private repository?: Repository<TenantRow>;
  /** Guarded writes of this process, one at a time (the database lock covers other processes). */
  private guarded: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmTenantStoreOptions = {},
  ) {}

  /** DataSource options for `url` (see `dataSourceOptionsFromUrl`) with the tenant entity added. */
  static dataSourceOptions(url: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
    const base = dataSourceOptionsFromUrl(url, extra);
    const entities = [...((extra.entities as unknown[] | undefined) ?? []), tenantEntitySchema(base.type)];
    return { ...base, entities } as DataSourceOptions;
  }

  /** Opens a DataSource of its own on `url`, creates the table if missing, and owns both. */
  static async open(url: string, extra: Partial<DataSourceOptions> = {}): Promise<TypeOrmTenantStore> {
    const dataSource = await new DataSource(TypeOrmTenantStore.dataSourceOptions(url, extra)).initialize();
    const store = new TypeOrmTenantStore(dataSource, { ownsDataSource: true });
    try {
      await store.ensureSchema();
      return store;
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
  }

  /**
   * Creates the `tenants` table (with its unique and list indexes) when it is missing. Touches no
   * other table, so it is safe on a DataSource shared with other entities, and idempotent: a
   * concurrent creator winning the race is not an error.
   */
  async ensureSchema(): Promise<void> {
    const table = Table.create(this.dataSource.getMetadata(this.repo.target), this.dataSource.driver);
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.createTable(table, true);
    } catch (error) {
      if (!(await runner.hasTable(table))) throw error;
    } finally {
      await runner.release();
    }
  }

  /** With `maxLive`: counts and inserts under the registry lock, so concurrent creators cannot both pass. */
  async create(input: CreateTenantInput, guard: Pick<TenantWriteGuard, 'maxLive'> = {}): Promise<Tenant> {
    const tenant = buildTenant(input);
    const insert = async (em: EntityManager) => {
      if (guard.maxLive !== undefined && (await this.liveCount(em)) >= guard.maxLive)
        throw new TenantWriteRefusedError('limit', tenant.identifier);
      try {
        await em.insert(this.repo.target, toRow(tenant));
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new TenantAlreadyExistsError(tenant.identifier);
        throw error;
      }
      return freezeTenant(tenant);
    };
    return guard.maxLive === undefined ? insert(this.repo.manager) : this.exclusive(insert);
  }

  async getById(id: string): Promise<Tenant> {
    return freezeTenant(await this.findRow({ id }, id));
  }

  async getByIdentifier(identifier: string): Promise<Tenant> {
    return freezeTenant(await this.findRow({ identifier }, identifier));
  }

  async list(query: ListTenantsQuery = {}): Promise<Tenant[]> {
    const skip = query.offset ? Math.max(0, query.offset) : undefined;
    // MySQL has no OFFSET without LIMIT: page "to the end" with the largest INT.
    const take = query.limit !== undefined ? Math.max(0, query.limit) : skip ? MAX_INT : undefined;
    if (take === 0) return [];
    const rows = await this.repo.find({
      where: statusWhere(query.status),
      order: { createdAt: 'ASC', id: 'ASC' },
      skip,
      take,
    });
    return rows.map(freezeTenant);
  }

  async update(id: string, patch: TenantPatch): Promise<Tenant> {
    const current = await this.findRow({ id }, id);
    const changes = { ...cleanPatch(patch), updatedAt: new Date() };
    await this.repo.update({ id }, changes as QueryDeepPartialEntity<TenantRow>);
    return freezeTenant({ ...current, ...changes });
  }

  /** Atomic top-level merge: one UPDATE (PostgreSQL, MySQL/MariaDB, SQLite), a locking transaction on SQL Server. */
  async updateMetadata(id: string, patch: Record<string, unknown>): Promise<Tenant> {
    await this.findRow({ id }, id);
    const changes = splitMetadataPatch(patch);
    const meta = this.dataSource.getMetadata(this.repo.target);
    if (!(await mergeMetadataInPlace(this.dataSource, meta, id, changes))) {
      await this.dataSource.transaction(async (em) => {
        const row = await em.findOne(this.repo.target, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!row) throw new TenantNotFoundError(id);
        const metadata = mergeMetadata(row.metadata ?? {}, changes);
        await em.update(this.repo.target, { id }, { metadata, updatedAt: new Date() } as never);
      });
    }
    return this.getById(id);
  }

  /** With `from`: a conditional UPDATE; with `maxLive`: counted and written under the registry lock. */
  async setStatus(id: string, status: TenantStatus, guard: TenantWriteGuard = {}): Promise<Tenant> {
    if (guard.from === undefined && guard.maxLive === undefined) return this.update(id, { status });
    const write = async (em: EntityManager) => {
      if (!isUuid(id)) throw new TenantNotFoundError(id);
      const limited = guard.maxLive !== undefined && status !== 'deleted';
      if (limited && (await this.liveCount(em, id)) >= guard.maxLive!) {
        const row = await em.findOne(this.repo.target, { where: { id } });
        if (!row) throw new TenantNotFoundError(id);
        throw new TenantWriteRefusedError('limit', row.identifier);
      }
      const where: FindOptionsWhere<TenantRow> = guard.from ? { id, status: In([...guard.from]) } : { id };
      const changes = { status, updatedAt: new Date() } as QueryDeepPartialEntity<TenantRow>;
      const { affected } = await em.update(this.repo.target, where, changes);
      const row = await em.findOne(this.repo.target, { where: { id } });
      if (!row) throw new TenantNotFoundError(id);
      if (!affected) throw new TenantWriteRefusedError('status', row.identifier, row.status);
      return freezeTenant(row);
    };
    return guard.maxLive === undefined ? write(this.repo.manager) : this.exclusive(write);
  }

  async delete(id: string): Promise<void> {
    await this.findRow({ id }, id);
    await this.repo.delete({ id });
  }

  async count(query: Pick<ListTenantsQuery, 'status'> = {}): Promise<number> {
    return this.repo.count({ where: statusWhere(query.status) });
  }

  /** Destroys the DataSource when this store opened it (`open`); otherwise does nothing. */
  async close(): Promise<void> {
    if (this.options.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** Tenants that are not `deleted`, `exceptId` left out. */
  private liveCount(em: EntityManager, exceptId?: string): Promise<number> {
    const where: FindOptionsWhere<TenantRow> = { status: Not('deleted' as TenantStatus) };
    return em.count(this.repo.target, { where: exceptId ? { ...where, id: Not(exceptId) } : where });
  }

  /**
   * `fn` in one transaction holding the registry lock, so counting and writing are one step for
   * every process on this database; calls of this process queue up first.
   */
  private exclusive<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const run = this.guarded.then(() => this.locked(fn));
    this.guarded = run.catch(() => undefined);
    return run;
  }

  private async locked<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const lock = registryLock(this.dataSource.options.type);
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      if (lock.session) await lock.session.acquire(runner);
      await runner.startTransaction();
      try {
        if (lock.transaction) await runner.query(lock.transaction);
        const result = await fn(runner.manager);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        throw error;
      }
    } finally {
      if (lock.session) await lock.session.release(runner).catch(() => undefined);
      await runner.release();
    }
  }

  private get repo(): Repository<TenantRow> {
    if (this.repository) return this.repository;
    const schema = tenantEntitySchema(this.dataSource.options.type);
    if (!this.dataSource.hasMetadata(schema)) {
      throw new TenancyConfigError(
        'TypeOrmTenantStore: the DataSource does not know the tenant entity. Initialize it first, and list ' +
          'tenantEntitySchema(type) in its entities (TypeOrmTenantStore.dataSourceOptions(url) does).',
      );
    }
    return (this.repository = this.dataSource.getRepository(schema));
  }

  private async findRow(where: FindOptionsWhere<TenantRow>, key: string): Promise<TenantRow> {
    // Ids are UUIDs: anything else cannot exist (and PostgreSQL would reject it as a uuid).
    if (where.id !== undefined && !isUuid(key)) throw new TenantNotFoundError(key);
    const row = await this.repo.findOne({ where });
    if (!row) throw new TenantNotFoundError(key);
    return row;
  }
}

function toRow(tenant: Tenant): QueryDeepPartialEntity<TenantRow> {
  return { ...tenant, metadata: { ...tenant.metadata } } as QueryDeepPartialEntity<TenantRow>;
}

function statusWhere(status: TenantStatus | undefined): FindOptionsWhere<TenantRow> {
  return status === undefined ? {} : { status };
}

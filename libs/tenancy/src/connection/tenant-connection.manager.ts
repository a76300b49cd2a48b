import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { EntityTarget, ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import type { TenantActivation } from '../context/tenant-activation.interface';
import { TenantContext, currentScope, runInScope } from '../context/tenant-context';
import { TenancyScope } from '../context/tenancy-scope';
import { TenancyError } from '../errors/tenancy.error';
import { TenantContextMissingError } from '../errors/tenant-context-missing.error';
import type { Tenant } from '../models/tenant.model';
import { TenantStore } from '../store/tenant-store.interface';
import { TENANCY_DATA_SOURCES, TENANCY_OPTIONS } from '../tenancy.constants';
import { DatabaseDataSourceCache } from './database-data-source.cache';
import { TenantDatabaseOptions } from './tenant-database.options';
import { createActiveRecordDataSource, routeActiveRecord } from './tenant-proxies';
import { useTenantRelationLoader } from './tenant-relation.loader';
import type { TenancyDataSources } from './tenancy-data-sources';
import { TenantViews } from './tenant-views';
import { TenantFreshness } from './tenant-freshness';

const TX_SLOT = Symbol('tenancy:transaction');
const LEASE_SLOT = Symbol('tenancy:lease');

interface OpenTransaction {
  tenantId: string;
  manager: EntityManager;
  level?: IsolationLevel;
}

/**
 * Every per-tenant database resource, behind one manager: shared-pool views (schema, RLS),
 * database-per-tenant DataSources (LRU), transactions. Closes everything on shutdown.
 */
@Injectable()
export class TenantConnectionManager implements OnModuleInit, OnApplicationShutdown, TenantActivation {
  private readonly entities = new Set<EntityTarget>();
  private readonly views: TenantViews;
  private readonly databases: DatabaseDataSourceCache;
  private readonly freshness: TenantFreshness;

  constructor(
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
    @Inject(TENANCY_DATA_SOURCES) private readonly sources: TenancyDataSources,
    private readonly context: TenantContext,
    private readonly databaseOptions: TenantDatabaseOptions,
    @Optional() @Inject(TenantStore) private readonly store?: TenantStore,
  ) {
    options.entities.forEach((e) => this.entities.add(e));
    this.views = new TenantViews(sources, options);
    this.freshness = new TenantFreshness(store);
    sources.prepare = (ds) =>
      useTenantRelationLoader(
        ds,
        () => this.currentEntityManager('A lazy relation'),
        () => currentScope()?.tenant?.id,
      );
    this.databases = new DatabaseDataSourceCache(
      options.maxCachedDataSources,
      (t) => databaseOptions.forTenant(t, this.entityList),
      (o) => sources.prepare(new DataSource(o)),
    );
  }

  /** @internal `forFeature` adds its entities before the module initializes. */
  registerEntities(entities: EntityTarget[]): void {
    entities.forEach((e) => this.entities.add(e));
  }

  get entityList(): EntityTarget[] {
    return [...this.entities];
  }

  async onModuleInit(): Promise<void> {
    // Another instance moved or stopped a tenant: its DataSources here are stale (issue 12 item 5).
    this.store?.onPlacementChange?.((tenantId) => this.evict(tenantId));
    await this.sources.buildShared(this.entityList as never);
    const targets = this.sources.sharedSchema?.entityMetadatas.map((m) => m.target) ?? [];
    routeActiveRecord(targets, createActiveRecordDataSource(this));
  }

  /**
   * A DataSource bound to `tenant` (default: the current one); every query through it is scoped.
   * A tenant object supplied by the caller must still be the active tenant of that id (checked
   * through the cached store): a stale one is refused (issue 12 item 4).
   */
  async getDataSource(tenant: Tenant = this.context.tenant): Promise<DataSource> {
    await this.freshness.assertCurrent(tenant);
    return this.dataSourceOf(tenant);
  }

  /** @internal `getDataSource` without the freshness check (the guard's tenant; admin steps). */
  async dataSourceOf(tenant: Tenant): Promise<DataSource> {
    if (tenant.isolationStrategy !== 'database') return this.views.get(tenant);
    return this.leaseDatabase(tenant, () => this.databases.acquire(tenant));
  }

  /** The tenant's EntityManager (the open transaction's when inside `transaction`). */
  async getEntityManager(tenant: Tenant = this.context.tenant): Promise<EntityManager> {
    return this.activeTransaction(tenant) ?? (await this.getDataSource(tenant)).manager;
  }

  /**
   * Runs `fn` in a transaction of the tenant, optionally at an isolation level (as TypeORM's
   * `transaction(level, fn)`). Tenant repositories used inside join it; a nested call reuses the
   * outer transaction, and refuses a level other than the outer one's (it cannot change it).
   * @example connections.transaction('SERIALIZABLE', (em) => transfer(em))
   */
  transaction<T>(fn: (manager: EntityManager) => Promise<T>, tenant?: Tenant): Promise<T>;
  transaction<T>(level: IsolationLevel, fn: (manager: EntityManager) => Promise<T>, tenant?: Tenant): Promise<T>;
  async transaction<T>(
    levelOrFn: IsolationLevel | ((manager: EntityManager) => Promise<T>),
    fnOrTenant?: ((manager: EntityManager) => Promise<T>) | Tenant,
    maybeTenant?: Tenant,
  ): Promise<T> {
    const [level, fn, tenant = this.context.tenant] =
      typeof levelOrFn === 'function'
        ? [undefined, levelOrFn, fnOrTenant as Tenant | undefined]
        : [levelOrFn, fnOrTenant as (manager: EntityManager) => Promise<T>, maybeTenant];
    const open = this.openTransaction(tenant);
    if (open) {
      if (level && level !== open.level) {
        throw new TenancyError(
          `A ${level} transaction was asked for inside an open ${open.level ?? 'default-level'} transaction of ` +
            'this tenant, which it would join at that level. Start the outer transaction at that level.',
        );
      }
      return fn(open.manager);
    }
    const dataSource = await this.getDataSource(tenant);
    const run = (manager: EntityManager) => {
      const scope = new TenancyScope(tenant);
      scope.slots.set(TX_SLOT, { tenantId: tenant.id, manager, level });
      return runInScope(scope, () => fn(manager));
    };
    return level ? dataSource.transaction(level, run) : dataSource.transaction(run);
  }

  /** @internal Sync access for the repository proxies: the current tenant's EntityManager. */
  currentEntityManager(what = 'A tenant repository'): EntityManager | Promise<EntityManager> {
    const tenant = currentScope()?.tenant;
    if (!tenant) throw new TenantContextMissingError(what);
    const open = this.activeTransaction(tenant);
    if (open) return open;
    if (!this.freshness.isTrusted(tenant)) return this.getDataSource(tenant).then((ds) => ds.manager);
    if (tenant.isolationStrategy !== 'database') return this.views.get(tenant).manager;
    const ready = this.leaseDatabaseSync(tenant);
    return ready ? ready.manager : this.getDataSource(tenant).then((ds) => ds.manager);
  }

  /** Warms the tenant's resources (called by the guard) so repositories need no I/O to start. */
  activate(tenant: Tenant): void | Promise<unknown> {
    if (tenant.isolationStrategy !== 'database') return;
    return this.leaseDatabaseSync(tenant) ? undefined : this.dataSourceOf(tenant);
  }

  /** Forgets a tenant's cached resources (placement change, suspension, deletion). */
  evict(tenantId: string): void {
    this.views.evict(tenantId);
    this.databases.evict(tenantId);
  }

  getMetrics(): {
    dataSources: { cached: number; max: number };
    views: number;
    pool: { total: number; idle: number; waiting: number };
    scopeViolations: number;
  } {
    const { cached, max } = this.databases.stats();
    return {
      dataSources: { cached, max },
      views: this.views.size,
      pool: this.poolStats(),
      scopeViolations: this.views.scopeViolations,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.databases.closeAll();
    await this.sources.destroy();
  }

  private poolStats(): { total: number; idle: number; waiting: number } {
    const pool = (
      this.sources.root.driver as unknown as {
        master?: { totalCount?: number; idleCount?: number; waitingCount?: number };
      }
    ).master;
    return { total: pool?.totalCount ?? 0, idle: pool?.idleCount ?? 0, waiting: pool?.waitingCount ?? 0 };
  }

  private activeTransaction(tenant: Tenant): EntityManager | undefined {
    return this.openTransaction(tenant)?.manager;
  }

  private openTransaction(tenant: Tenant): OpenTransaction | undefined {
    const tx = currentScope()?.slots.get(TX_SLOT) as OpenTransaction | undefined;
    return tx && tx.tenantId === tenant.id ? tx : undefined;
  }

  /** Database tenants: one lease per scope, given back when the scope ends. */
  private leaseDatabaseSync(tenant: Tenant): DataSource | undefined {
    const scope = currentScope();
    const held = scope?.slots.get(LEASE_SLOT) as Map<string, DataSource> | undefined;
    const mine = held?.get(tenant.id);
    if (mine) return mine;
    const lease = this.databases.acquireReady(tenant);
    if (!lease) return undefined;
    return this.keepLease(scope, tenant, lease);
  }

  private async leaseDatabase(
    tenant: Tenant,
    acquire: () => Promise<{ dataSource: DataSource; release: () => void }>,
  ): Promise<DataSource> {
    const ready = this.leaseDatabaseSync(tenant);
    if (ready) return ready;
    return this.keepLease(currentScope(), tenant, await acquire());
  }

  private keepLease(
    scope: TenancyScope | undefined,
    tenant: Tenant,
    lease: { dataSource: DataSource; release: () => void },
  ): DataSource {
    if (!scope || scope.isClosed) {
      lease.release(); // outside any scope the caller owns the DataSource's lifetime risk
      return lease.dataSource;
    }
    let held = scope.slots.get(LEASE_SLOT) as Map<string, DataSource> | undefined;
    if (!held) scope.slots.set(LEASE_SLOT, (held = new Map()));
    held.set(tenant.id, lease.dataSource);
    scope.onClose(lease.release);
    return lease.dataSource;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { createTenantView } from '../connection/shared-pool-view';
import type { TenancyDataSources } from '../connection/tenancy-data-sources';
import { TenantConnectionManager } from '../connection/tenant-connection.manager';
import { TenantDatabaseOptions } from '../connection/tenant-database.options';
import type { Tenant } from '../models/tenant.model';
import { TenantStore } from '../store/tenant-store.interface';
import { TENANCY_DATA_SOURCES, TENANCY_OPTIONS } from '../tenancy.constants';
import { dialectFromUrl } from './dialects/dialect-from-url.util';
import { ddlFor } from './dialects/dialect-ddl.registry';
import { childrenFirst } from './deletion-order.util';
import { migrationState, stoppedRun, type TenantMigrationState } from './migration-state.util';
import { withMigrationLogger } from './migration.logger';
import { runLocked, withMigrationLock } from './migration-lock';
import { schemaNameFor, tablePrefixFor } from './dialects/tenant-physical-names.util';
import { pgSearchPathBinding } from './pg-schema.binding';
import { dropSqliteTenantTables } from './sqlite-tenant-tables.util';
import { scopeSqliteMigrations } from './sqlite-migration.scope';

/**
 * Provisioning primitives: create and drop a tenant's schema or database (validated, quoted
 * names), create its tables (the configured migrations, or synchronize when there are none),
 * run and revert migrations. Every step is idempotent.
 */
@Injectable()
export class TenantProvisioner {
  constructor(
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
    @Inject(TENANCY_DATA_SOURCES) private readonly sources: TenancyDataSources,
    private readonly databases: TenantDatabaseOptions,
    private readonly connections: TenantConnectionManager,
    @Inject(TenantStore) private readonly store: TenantStore,
  ) {}

  /** Creates the tenant's schema or database (RLS tenants share the tables: nothing to do). */
  async createStorage(tenant: Tenant): Promise<void> {
    if (tenant.isolationStrategy === 'schema') {
      await this.sources.ddl(ddlFor(this.sources.dialect).createNamespace(this.schemaName(tenant)));
    } else if (tenant.isolationStrategy === 'database') {
      await this.createDatabase(tenant);
    }
  }

  /** Drops the tenant's schema or database; under RLS deletes its rows from every tenant table. */
  async dropStorage(tenant: Tenant): Promise<void> {
    this.connections.evict(tenant.id);
    if (tenant.isolationStrategy === 'schema' && this.sources.dialect === 'sqlite') {
      const prefix = tablePrefixFor(this.options.schemaPrefix, tenant.identifier);
      await this.withTenantDataSource(tenant, (ds) => dropSqliteTenantTables(ds, prefix));
    } else if (tenant.isolationStrategy === 'schema') {
      await this.sources.ddl(ddlFor(this.sources.dialect).dropNamespace(this.schemaName(tenant)));
    } else if (tenant.isolationStrategy === 'database') {
      await this.dropDatabase(tenant);
    } else {
      const view = await this.connections.dataSourceOf(tenant);
      // The tenant's own RLS view: the policy limits the delete to its rows. Referencing tables
      // first (foreign keys), all or nothing.
      await view.transaction(async (em) => {
        for (const meta of childrenFirst(view.entityMetadatas))
          await em.createQueryBuilder().delete().from(meta.target).execute();
      });
    }
  }

  /**
   * Runs pending migrations (or synchronizes when none are configured); returns names applied.
   * @throws MigrationRunError naming the failed migration and the ones committed before it.
   */
  async migrate(tenant: Tenant): Promise<string[]> {
    if (tenant.isolationStrategy === 'rls') return []; // shared tables: migrated once at start-up
    return this.withTenantDataSource(tenant, async (ds) => {
      if (this.options.migrations.length === 0) {
        await ds.synchronize();
        return [];
      }
      const before = await migrationState(ds);
      try {
        return await runLocked(ds, tenant.id);
      } catch (cause) {
        throw await stoppedRun(ds, before, cause);
      }
    });
  }

  /** Reverts the last applied migration; returns its name (or nothing). */
  async revert(tenant: Tenant): Promise<string[]> {
    if (tenant.isolationStrategy === 'rls' || this.options.migrations.length === 0) return [];
    return this.withTenantDataSource(tenant, async (ds) => {
      const before = await migrationState(ds);
      await withMigrationLock(ds, tenant.id, (executor) => executor.undoLastMigration());
      const after = await migrationState(ds);
      return before.applied.filter((name) => !after.applied.includes(name));
    });
  }

  async status(tenant: Tenant): Promise<TenantMigrationState> {
    if (tenant.isolationStrategy === 'rls') return { applied: [], pending: [] };
    return this.withTenantDataSource(tenant, (ds) => migrationState(ds));
  }

  /**
   * Runs `fn` (migrations of many tenants) on `connections` connections of its own (PostgreSQL),
   * never the request pool, so requests keep their latency meanwhile (issue 20, item 4).
   */
  withMigrationConnections<T>(connections: number, fn: () => Promise<T>): Promise<T> {
    return this.sources.withMigrationPool(connections, fn);
  }

  /** @internal Test and CLI helper: the stored tenant for an identifier. */
  async connectionsTenant(identifier: string): Promise<Tenant> {
    return this.store.getByIdentifier(identifier);
  }

  schemaName(tenant: Pick<Tenant, 'identifier'>): string {
    return schemaNameFor(this.options.schemaPrefix, tenant.identifier, this.sources.dialect);
  }

  /**
   * Rollback of a registration over storage that existed before it: reverts the `count`
   * migrations it applied (newest first), or, when it synchronized an empty storage, drops the
   * entity tables it created. Adopted storage that was synchronized is left as it is.
   */
  async undoProvisioning(tenant: Tenant, count: number, synchronizedEmpty: boolean): Promise<void> {
    if (tenant.isolationStrategy === 'rls') return;
    await this.withTenantDataSource(tenant, async (ds) => {
      if (this.options.migrations.length === 0) {
        if (synchronizedEmpty) await dropEntityTables(ds);
        return;
      }
      await withMigrationLock(ds, tenant.id, async (executor) => {
        for (let i = 0; i < count; i++) await executor.undoLastMigration();
      });
    });
  }

  /** @internal A real DataSource for DDL and migrations, scoped to the tenant (search_path for raw SQL). */
  async withTenantDataSource<T>(tenant: Tenant, fn: (ds: DataSource) => Promise<T>): Promise<T> {
    const entities = this.connections.entityList as never;
    if (tenant.isolationStrategy === 'schema') {
      const name =
        this.sources.dialect === 'sqlite'
          ? tablePrefixFor(this.options.schemaPrefix, tenant.identifier)
          : this.schemaName(tenant);
      const { dataSource, owned } = await this.sources.namespaceDataSource(
        name,
        entities,
        this.options.migrations as never,
      );
      withMigrationLogger(dataSource);
      if (this.sources.dialect === 'sqlite') scopeSqliteMigrations(dataSource, name);
      try {
        // Raw SQL in migrations is unqualified: on PostgreSQL it runs with search_path = the tenant schema.
        return await fn(owned ? dataSource : createTenantView(dataSource, pgSearchPathBinding(name)));
      } finally {
        if (owned) await dataSource.destroy();
      }
    }
    const options = this.databases.forTenant(
      tenant,
      entities,
      {
        migrations: this.options.migrations as DataSourceOptions['migrations'],
        migrationsTableName: 'tenancy_migrations',
        poolSize: 1,
      },
      true,
    );
    const ds = await withMigrationLogger(this.sources.prepare(new DataSource(options))).initialize();
    try {
      return await fn(ds);
    } finally {
      await ds.destroy();
    }
  }

  private async createDatabase(tenant: Tenant): Promise<void> {
    if (tenant.databaseUrl) return; // a database the tenant brought: it exists already
    const name = this.databases.databaseName(tenant);
    const ddl = ddlFor(this.templateDialect);
    const exists = ddl.databaseExistsQuery(name);
    if (!exists) return; // SQLite: the file is created on first connection
    const found = (await this.sources.root.query(exists.sql, [...exists.params])) as unknown[];
    if (found.length === 0) await this.sources.ddl(ddl.createDatabase(name));
  }

  private async dropDatabase(tenant: Tenant): Promise<void> {
    if (tenant.databaseUrl) return; // never drop a database the library did not create
    const ddl = ddlFor(this.templateDialect);
    const name = this.databases.databaseName(tenant);
    if (this.templateDialect === 'sqlite') return this.databases.removeSqliteFile(tenant);
    await this.sources.ddl(ddl.dropDatabase(name));
  }

  private get templateDialect() {
    return dialectFromUrl(this.options.databaseUrlTemplate ?? this.options.databaseUrl);
  }
}

/** SQLite table-prefix tenants: drops the prefixed tables, dependants first. */
async function dropEntityTables(ds: DataSource): Promise<void> {
  const runner = ds.createQueryRunner();
  try {
    const tables = [...ds.entityMetadatas].sort((a, b) => b.foreignKeys.length - a.foreignKeys.length);
    for (const meta of tables) await runner.dropTable(meta.tablePath, true);
  } finally {
    await runner.release();
  }
}

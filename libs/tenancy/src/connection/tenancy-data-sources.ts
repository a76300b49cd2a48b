import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { assertMigrationGlobsMatch } from '../config/migration-globs.util';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { usesStrategy } from '../config/uses-strategy.util';
import { TenancyError } from '../errors/tenancy.error';
import { dialectFromUrl } from '../isolation/dialects/dialect-from-url.util';
import type { Dialect } from '../isolation/dialects/dialect.types';
import { serializeSqliteConnection } from '../isolation/sqlite-connection.lock';
import { checkConnectionRoute } from './pooler-check';
import { connectRoot } from './root-connect.util';
import { namespaceOption, rootOptions, tenantOptions, type Entities } from './root-options.util';
import { SharedRlsTables } from './shared-rls-tables';
import { guardSharedPool } from './shared-pool-session';
import { SCHEMA_PLACEHOLDER, borrowPool } from './shared-pool-view';

/**
 * The application's database handles: `root` owns the ONE pool (and the tenants table), the
 * shared metadata sets borrow it. Tenant views are made from the shared sets.
 */
export class TenancyDataSources {
  /** Schema mode: tenant tables under the placeholder schema (rewritten per tenant). */
  sharedSchema?: DataSource;
  /**
   * Applied to every DataSource of tenant entities before its metadata is built (the connection
   * manager installs the tenant-aware relation loader here: lazy relations, issue 11).
   */
  prepare: <T extends DataSource>(dataSource: T) => T = (dataSource) => dataSource;
  private readonly deferred: Array<() => Promise<void>> = [];
  /** The pool tenant migrations of the current `withMigrationPool` run borrow (PostgreSQL). */
  private readonly migrationPool = new AsyncLocalStorage<() => Promise<DataSource>>();

  private constructor(
    readonly root: DataSource,
    readonly dialect: Dialect,
    private readonly options: ResolvedTenancyOptions,
    /** The shared RLS tables, their DDL role and readiness (set up on PostgreSQL only). */
    readonly rls = new SharedRlsTables(root, options),
  ) {}

  /** RLS mode: tenant tables in the root database's default schema. */
  get sharedRls(): DataSource | undefined {
    return this.rls.dataSource;
  }

  /** Connects the root pool. `storeEntities` live in the root database (the tenants table). */
  static async connect(options: ResolvedTenancyOptions, storeEntities: Entities): Promise<TenancyDataSources> {
    assertMigrationGlobsMatch(options.migrations);
    const dialect = dialectFromUrl(options.databaseUrl);
    const root = await connectRoot(
      () => new DataSource(rootOptions(options, dialect, storeEntities as Entities)),
      options,
    );
    if (dialect === 'postgres') {
      const sharedPool = { schema: usesStrategy(options, 'schema'), rls: usesStrategy(options, 'rls') };
      await checkConnectionRoute(root, options, sharedPool).catch(async (error: unknown) => {
        await root.destroy();
        throw error;
      });
    }
    if (dialect !== 'postgres' || !usesStrategy(options, 'rls')) {
      return new TenancyDataSources(serializeSqliteConnection(root), dialect, options);
    }
    // RLS session mode leaves the tenant on pooled connections: every other checkout clears it.
    guardSharedPool(root);
    return new TenancyDataSources(root, dialect, options, await SharedRlsTables.open(root, options, storeEntities));
  }

  /**
   * Runs `create` (e.g. the tenants table) at the end of `buildShared`, once every start-up
   * refusal check has passed: a refused start creates nothing (issue 12 item 10).
   */
  afterStartupChecks(create: () => Promise<void>): void {
    this.deferred.push(create);
  }

  /**
   * Builds the shared tenant metadata once every `forFeature` entity is known (RLS: checks,
   * then creates the shared tables and policies), then runs what waited for the checks.
   */
  async buildShared(entities: Entities): Promise<void> {
    const separateOwner = this.rls.separateOwner;
    await this.buildSharedSets(entities);
    for (const create of this.deferred.splice(0)) await create();
    if (this.rls.ready && !separateOwner) await this.rls.secureRegistryCreatedLater();
  }

  private async buildSharedSets(entities: Entities): Promise<void> {
    if (entities.length === 0) return;
    const base = tenantOptions(this.root.options, entities);
    this.sharedSchema = serializeSqliteConnection(
      await borrowPool(
        this.prepare(
          new DataSource({
            ...base,
            ...namespaceOption(this.dialect, SCHEMA_PLACEHOLDER),
          } as unknown as DataSourceOptions),
        ),
        this.root,
      ),
    );
    qualifyWithPlaceholder(this.sharedSchema, this.dialect);
    if (this.dialect !== 'postgres') return;
    await this.rls.build(base, this.prepare);
  }

  /**
   * Runs `fn` with tenant migrations on a pool of their own of `size` connections, opened for the
   * run and closed after it, so they never take the request pool (issue 20, item 4). PostgreSQL
   * only: on the other dialects each tenant migrated opens its own connection already.
   */
  async withMigrationPool<T>(size: number, fn: () => Promise<T>): Promise<T> {
    if (this.dialect !== 'postgres') return fn();
    // Opened on first use: a run over RLS or database tenants only never opens it.
    let pool: Promise<DataSource> | undefined;
    const open = () =>
      (pool ??= new DataSource(
        rootOptions({ ...this.options, poolSize: size, statementTimeoutMs: 0 }, this.dialect, []),
      ).initialize());
    try {
      return await this.migrationPool.run(open, fn);
    } finally {
      const opened = await pool?.catch(() => undefined);
      if (opened?.isInitialized) await opened.destroy();
    }
  }

  /**
   * A real (non-view) DataSource for one tenant namespace, for DDL and migrations: on PostgreSQL
   * it borrows the migration pool of a `withMigrationPool` run, else the shared pool; elsewhere it opens its own single connection (raw SQL in
   * migrations then lands in the tenant database). The caller destroys the non-borrowed kind.
   */
  async namespaceDataSource(
    name: string,
    entities: Entities,
    migrations: DataSourceOptions['migrations'] = [],
  ): Promise<{ dataSource: DataSource; owned: boolean }> {
    const options = {
      ...tenantOptions(this.root.options, entities),
      migrations,
      // SQLite table prefixes share one file: each tenant keeps its own history (issue 20, item 1).
      migrationsTableName: this.dialect === 'sqlite' ? `${name}tenancy_migrations` : 'tenancy_migrations',
    };
    if (this.dialect === 'postgres') {
      return {
        dataSource: await borrowPool(
          this.prepare(new DataSource({ ...options, schema: name } as DataSourceOptions)),
          (await this.migrationPool.getStore()?.()) ?? this.root,
        ),
        owned: false,
      };
    }
    const own: Record<string, unknown> = { ...options, ...namespaceOption(this.dialect, name), poolSize: 1 };
    if (this.dialect === 'mysql' && typeof own.url === 'string') {
      const url = new URL(own.url); // `url` wins over `database` in TypeORM: point it at the tenant database
      url.pathname = `/${name}`;
      own.url = url.toString();
    }
    return {
      dataSource: await this.prepare(new DataSource(own as unknown as DataSourceOptions)).initialize(),
      owned: true,
    };
  }

  /**
   * Runs storage DDL (CREATE/DROP SCHEMA or DATABASE) on the root pool. PostgreSQL with a
   * `statementTimeoutMs`: on one connection with the timeout lifted, reset afterwards (a CREATE
   * DATABASE easily outlasts a request timeout). Not in transaction scope: behind a transaction
   * pooler the SET and the RESET could reach different server sessions, so the DDL runs under the
   * server's own timeout there.
   */
  async ddl(statements: readonly string[]): Promise<void> {
    if (this.dialect !== 'postgres' || !this.options.statementTimeoutMs || this.options.scopeMode === 'transaction') {
      for (const sql of statements) await this.root.query(sql);
      return;
    }
    const runner = this.root.createQueryRunner();
    try {
      await runner.query('SET statement_timeout = 0');
      for (const sql of statements) await runner.query(sql);
    } finally {
      await runner.query('RESET statement_timeout').catch(() => undefined);
      await runner.release();
    }
  }

  /** The root database's name (MySQL `USE` target after tenant raw SQL). */
  get rootDatabase(): string {
    return String(this.root.driver.database ?? '');
  }

  async destroy(): Promise<void> {
    await this.rls.destroy();
    if (this.root.isInitialized) await this.root.destroy();
  }

  get poolSize(): number {
    return this.options.poolSize;
  }
}

/**
 * TypeORM takes a MySQL entity's database only from its decorator, so the shared metadata gets
 * the placeholder database here. Then every table path must name the placeholder: an
 * unqualified one would reach the root database's tables, so start-up stops instead.
 */
function qualifyWithPlaceholder(shared: DataSource, dialect: Dialect): void {
  for (const meta of shared.entityMetadatas) {
    if (dialect === 'mysql') {
      Object.assign(meta, { database: SCHEMA_PLACEHOLDER });
      meta.tablePath = shared.driver.buildTableName(meta.tableName, meta.schema, SCHEMA_PLACEHOLDER);
    }
    if (!meta.tablePath.includes(SCHEMA_PLACEHOLDER)) {
      throw new TenancyError(
        `Entity ${meta.name} is not tenant-qualified (table path "${meta.tablePath}"); refusing to start.`,
      );
    }
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { dialectFromUrl } from '../isolation/dialects/dialect-from-url.util';
import type { Dialect } from '../isolation/dialects/dialect.types';
import { TenantIdSubscriber } from '../isolation/tenant-id.subscriber';
import { dataSourceOptionsFromUrl } from '../store/data-source-options.util';
import { TenancyError } from '../errors/tenancy.error';
import { refuseUnsafeRuntimeRole } from '../isolation/rls-preflight';
import { ownerCreatesRegistry, secureRegistryCreatedLater, setUpRls, type RlsOwner } from '../isolation/rls-setup';
import { serializeSqliteConnection } from '../isolation/sqlite-connection.lock';
import { withTimeouts } from './driver-timeouts.util';
import { connectRoot } from './root-connect.util';
import { withPassthrough } from './typeorm-passthrough.util';
import { checkConnectionRoute } from './pooler-check';
import { guardSharedPool } from './shared-pool-session';
import { SCHEMA_PLACEHOLDER, borrowPool } from './shared-pool-view';
import { assertMigrationGlobsMatch } from '../config/migration-globs.util';

type Entities = NonNullable<DataSourceOptions['entities']>;

/**
 * The application's database handles: `root` owns the ONE pool (and the tenants table), the
 * shared metadata sets borrow it. Tenant views are made from the shared sets.
 */
export class TenancyDataSources {
  /** Schema mode: tenant tables under the placeholder schema (rewritten per tenant). */
  sharedSchema?: DataSource;
  /** RLS mode: tenant tables in the root database's default schema. */
  sharedRls?: DataSource;
  /** Policies applied and verified at start-up; RLS tenants are refused until then. */
  rlsReady = false;
  /**
   * Set before start-up by the CLI (`TenancyCliModule`): pending migrations of the shared RLS
   * tables are left to `migrate:run`, which applies and reports them; until then RLS tenants are
   * refused (fail closed).
   */
  deferRlsMigrations = false;
  private rlsOptions?: DataSourceOptions;
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
    private owner?: DataSource,
  ) {}

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
    let owner: DataSource | undefined;
    try {
      if (options.migrationDatabaseUrl) {
        const ownerOptions = {
          ...options,
          databaseUrl: options.migrationDatabaseUrl,
          poolSize: 2,
          statementTimeoutMs: 0, // DDL at start-up
        };
        owner = await new DataSource(rootOptions(ownerOptions, dialect, storeEntities as Entities)).initialize();
      }
      // Every refusal before anything is created (issue 12); then the owner, not the runtime
      // role, creates the registry, so the runtime role never owns it.
      await refuseUnsafeRuntimeRole(root, owner);
      if (owner && (storeEntities as unknown[]).length > 0) await ownerCreatesRegistry(owner, root);
    } catch (error) {
      await Promise.all([root.destroy(), owner?.destroy()]);
      throw error;
    }
    return new TenancyDataSources(root, dialect, options, owner);
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
    const separateOwner = this.owner !== undefined;
    await this.buildSharedSets(entities);
    for (const create of this.deferred.splice(0)) await create();
    if (this.rlsReady && !separateOwner) await secureRegistryCreatedLater(this.root, this.options);
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
    this.rlsOptions = {
      ...base,
      schema: 'public',
      migrations: this.options.migrations,
      migrationsTableName: 'tenancy_migrations',
    } as DataSourceOptions;
    this.sharedRls = await borrowPool(this.prepare(new DataSource(this.rlsOptions)), this.root);
    if (!usesStrategy(this.options, 'rls')) return;
    try {
      const setUp = await this.withRlsDdl((owner) =>
        setUpRls(this.sharedRls!, this.root, this.options, owner, this.deferRlsMigrations),
      );
      this.rlsReady = setUp.ready;
    } finally {
      const owner = this.owner;
      this.owner = undefined; // the owner's pool serves start-up only; later runs open their own
      await owner?.destroy();
    }
  }

  /**
   * Runs `fn` with the role that applies DDL to the shared RLS tables: the owner
   * (`migrationDatabaseUrl`: its start-up pool, or a small pool opened for `fn` and closed after
   * it) as `owner`, or `undefined` when the runtime role applies DDL itself.
   */
  async withRlsDdl<T>(fn: (owner: RlsOwner | undefined) => Promise<T>): Promise<T> {
    if (!this.sharedRls || !this.rlsOptions) {
      throw new TenancyError(
        'RLS: no tenant entities are registered (TenancyModule.forFeature or the entities option), so there are no shared tables.',
      );
    }
    if (!this.options.migrationDatabaseUrl) return fn(undefined);
    const opened = !this.owner;
    const root =
      this.owner ??
      (await new DataSource(
        rootOptions({ ...this.options, databaseUrl: this.options.migrationDatabaseUrl, poolSize: 2 }, this.dialect, []),
      ).initialize());
    try {
      return await fn({ root, shared: await borrowPool(new DataSource(this.rlsOptions), root) });
    } finally {
      if (opened) await root.destroy();
    }
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
    if (this.owner?.isInitialized) await this.owner.destroy();
    if (this.root.isInitialized) await this.root.destroy();
  }

  get poolSize(): number {
    return this.options.poolSize;
  }
}

function rootOptions(options: ResolvedTenancyOptions, dialect: Dialect, entities: Entities): DataSourceOptions {
  const base = dataSourceOptionsFromUrl(options.databaseUrl) as unknown as Record<string, unknown>;
  if (dialect !== 'postgres') {
    return withTimeouts(
      withPassthrough({ ...base, entities, poolSize: options.poolSize } as DataSourceOptions, options.typeorm),
      options,
    );
  }
  const postgres = withPassthrough(
    {
      ...base,
      entities,
      schema: 'public',
      poolSize: options.poolSize,
      // Empty search_path: unqualified SQL errors instead of silently reaching `public`.
      extra: { ...((base.extra as object) ?? {}), max: options.poolSize, options: '-c search_path=' },
      uuidExtension: 'pgcrypto',
      installExtensions: false,
    } as DataSourceOptions,
    options.typeorm,
  );
  return withTimeouts(postgres, options);
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

/** How a tenant namespace is expressed per dialect: schema, database, or table prefix. */
function namespaceOption(dialect: Dialect, name: string): Record<string, unknown> {
  if (dialect === 'mysql') return { database: name };
  if (dialect === 'sqlite') return { entityPrefix: name };
  return { schema: name };
}

function tenantOptions(root: DataSourceOptions, entities: Entities): Record<string, unknown> {
  return { ...root, entities, synchronize: false, migrationsRun: false, subscribers: [TenantIdSubscriber] };
}

/** Whether any tenant can be placed on `strategy` under these options. */
export function usesStrategy(o: ResolvedTenancyOptions, strategy: 'schema' | 'database' | 'rls'): boolean {
  if (o.isolationStrategy === 'hybrid')
    return o.premiumIsolationStrategy === strategy || o.standardIsolationStrategy === strategy;
  return o.isolationStrategy === strategy;
}

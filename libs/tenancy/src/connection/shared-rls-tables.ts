import { DataSource, type DataSourceOptions } from 'typeorm';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { usesStrategy } from '../config/uses-strategy.util';
import { TenancyError } from '../errors/tenancy.error';
import { refuseUnsafeRuntimeRole } from '../isolation/rls-preflight';
import { grantRegistry, secureRegistryCreatedLater, setUpRls, type RlsOwner } from '../isolation/rls-setup';
import { TypeOrmTenantStore } from '../store/typeorm-tenant.store';
import { rootOptions, type Entities } from './root-options.util';
import { borrowPool } from './shared-pool-view';

/**
 * @internal The shared RLS tables (PostgreSQL): their metadata set in the root database's default
 * schema, the role that applies their DDL (the owner of `migrationDatabaseUrl`, else the runtime
 * role), and whether their policies are applied and verified.
 */
export class SharedRlsTables {
  /** Tenant tables in the root database's default schema (built on PostgreSQL only). */
  dataSource?: DataSource;
  /** Policies applied and verified at start-up; RLS tenants are refused until then. */
  ready = false;
  /**
   * Set before start-up by the CLI (`TenancyCliModule`): pending migrations of the shared RLS
   * tables are left to `migrate:run`, which applies and reports them; until then RLS tenants are
   * refused (fail closed).
   */
  deferMigrations = false;
  private dataSourceOptions?: DataSourceOptions;

  constructor(
    private readonly root: DataSource,
    private readonly options: ResolvedTenancyOptions,
    private owner?: DataSource,
  ) {}

  /**
   * Start-up of an RLS root pool: opens the owner's pool (`migrationDatabaseUrl`), runs every
   * refusal before anything is created (issue 12), then the owner, not the runtime role, creates
   * the registry, so the runtime role never owns it. Closes both pools when anything fails.
   */
  static async open(
    root: DataSource,
    options: ResolvedTenancyOptions,
    storeEntities: Entities,
  ): Promise<SharedRlsTables> {
    let owner: DataSource | undefined;
    try {
      if (options.migrationDatabaseUrl) {
        const ownerOptions = {
          ...options,
          databaseUrl: options.migrationDatabaseUrl,
          poolSize: 2,
          statementTimeoutMs: 0, // DDL at start-up
        };
        owner = await new DataSource(rootOptions(ownerOptions, 'postgres', storeEntities)).initialize();
      }
      await refuseUnsafeRuntimeRole(root, owner);
      if (owner && (storeEntities as unknown[]).length > 0) {
        await new TypeOrmTenantStore(owner).ensureSchema();
        await grantRegistry(owner, root);
      }
    } catch (error) {
      await Promise.all([root.destroy(), owner?.destroy()]);
      throw error;
    }
    return new SharedRlsTables(root, options, owner);
  }

  /** Whether a separate owner role applies the DDL (its start-up pool is still open). */
  get separateOwner(): boolean {
    return this.owner !== undefined;
  }

  /**
   * Builds the shared RLS metadata from the tenant options `base`; when RLS is in use, creates
   * the tables and policies and verifies them (`setUpRls`). The owner's start-up pool closes after.
   */
  async build(base: Record<string, unknown>, prepare: <T extends DataSource>(dataSource: T) => T): Promise<void> {
    this.dataSourceOptions = {
      ...base,
      schema: 'public',
      migrations: this.options.migrations,
      migrationsTableName: 'tenancy_migrations',
    } as DataSourceOptions;
    this.dataSource = await borrowPool(prepare(new DataSource(this.dataSourceOptions)), this.root);
    if (!usesStrategy(this.options, 'rls')) return;
    try {
      const setUp = await this.withDdl((owner) =>
        setUpRls(this.dataSource!, this.root, this.options, owner, this.deferMigrations),
      );
      this.ready = setUp.ready;
    } finally {
      const owner = this.owner;
      this.owner = undefined; // the owner's pool serves start-up only; later runs open their own
      await owner?.destroy();
    }
  }

  /** One role: the registry, created after `build`, is put out of tenant reach and verified. */
  secureRegistryCreatedLater(): Promise<void> {
    return secureRegistryCreatedLater(this.root, this.options);
  }

  /**
   * Runs `fn` with the role that applies DDL to the shared RLS tables: the owner
   * (`migrationDatabaseUrl`: its start-up pool, or a small pool opened for `fn` and closed after
   * it) as `owner`, or `undefined` when the runtime role applies DDL itself.
   */
  async withDdl<T>(fn: (owner: RlsOwner | undefined) => Promise<T>): Promise<T> {
    if (!this.dataSource || !this.dataSourceOptions) {
      throw new TenancyError(
        'RLS: no tenant entities are registered (TenancyModule.forFeature or the entities option), so there are no shared tables.',
      );
    }
    if (!this.options.migrationDatabaseUrl) return fn(undefined);
    const opened = !this.owner;
    const root =
      this.owner ??
      (await new DataSource(
        rootOptions({ ...this.options, databaseUrl: this.options.migrationDatabaseUrl, poolSize: 2 }, 'postgres', []),
      ).initialize());
    try {
      return await fn({ root, shared: await borrowPool(new DataSource(this.dataSourceOptions), root) });
    } finally {
      if (opened) await root.destroy();
    }
  }

  async destroy(): Promise<void> {
    if (this.owner?.isInitialized) await this.owner.destroy();
  }
}

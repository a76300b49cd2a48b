import { DataSource, type DataSourceOptions, type EntitySchema } from 'typeorm';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { dialectFromUrl } from '../isolation/dialects/dialect-from-url.util';
import type { Dialect } from '../isolation/dialects/dialect.types';
import { TenantIdSubscriber } from '../isolation/tenant-id.subscriber';
import { dataSourceOptionsFromUrl } from '../store/data-source-options.util';
import { setUpRls } from '../isolation/rls-setup';
import { SCHEMA_PLACEHOLDER, borrowPool } from './shared-pool-view';

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

  private constructor(
    readonly root: DataSource,
    readonly dialect: Dialect,
    private readonly options: ResolvedTenancyOptions,
  ) {}

  /** Connects the root pool. `storeEntities` live in the root database (the tenants table). */
  static async connect(options: ResolvedTenancyOptions, storeEntities: Array<EntitySchema | Function>): Promise<TenancyDataSources> {
    const dialect = dialectFromUrl(options.databaseUrl);
    const root = new DataSource(rootOptions(options, dialect, storeEntities as Entities));
    await root.initialize();
    return new TenancyDataSources(root, dialect, options);
  }

  /** Builds the shared tenant metadata once every `forFeature` entity is known. */
  async buildShared(entities: Entities): Promise<void> {
    if (this.dialect !== 'postgres' || entities.length === 0) return;
    const base = tenantOptions(this.root.options, entities);
    this.sharedSchema = await borrowPool(new DataSource({ ...base, schema: SCHEMA_PLACEHOLDER } as DataSourceOptions), this.root);
    this.sharedRls = await borrowPool(new DataSource({ ...base, schema: 'public', migrations: this.options.migrations, migrationsTableName: 'tenancy_migrations' } as DataSourceOptions), this.root);
    if (usesStrategy(this.options, 'rls')) await setUpRls(this.sharedRls, this.root, this.options);
  }

  /** A real (non-view) DataSource for one tenant schema over the shared pool: for DDL and migrations. */
  async schemaDataSource(schema: string, entities: Entities, migrations: DataSourceOptions['migrations'] = []): Promise<DataSource> {
    const options = { ...tenantOptions(this.root.options, entities), schema, migrations, migrationsTableName: 'tenancy_migrations' };
    return borrowPool(new DataSource(options as DataSourceOptions), this.root);
  }

  async destroy(): Promise<void> {
    if (this.root.isInitialized) await this.root.destroy();
  }

  get poolSize(): number {
    return this.options.poolSize;
  }
}

function rootOptions(options: ResolvedTenancyOptions, dialect: Dialect, entities: Entities): DataSourceOptions {
  const base = dataSourceOptionsFromUrl(options.databaseUrl) as unknown as Record<string, unknown>;
  if (dialect !== 'postgres') return { ...base, entities, poolSize: options.poolSize } as DataSourceOptions;
  return {
    ...base,
    entities,
    schema: 'public',
    poolSize: options.poolSize,
    // Empty search_path: unqualified SQL errors instead of silently reaching `public`.
    extra: { ...((base.extra as object) ?? {}), max: options.poolSize, options: '-c search_path=' },
    uuidExtension: 'pgcrypto',
    installExtensions: false,
  } as DataSourceOptions;
}

function tenantOptions(root: DataSourceOptions, entities: Entities): Record<string, unknown> {
  return { ...root, entities, synchronize: false, migrationsRun: false, subscribers: [TenantIdSubscriber] };
}

/** Whether any tenant can be placed on `strategy` under these options. */
export function usesStrategy(o: ResolvedTenancyOptions, strategy: 'schema' | 'database' | 'rls'): boolean {
  if (o.isolationStrategy === 'hybrid') return o.premiumIsolationStrategy === strategy || o.standardIsolationStrategy === strategy;
  return o.isolationStrategy === strategy;
}

import { DataSource, type DataSourceOptions } from 'typeorm';
import type { EntityTarget } from '../config/tenancy-options.interface';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { postgresDdl } from '../isolation/dialects/postgres.ddl';
import { dataSourceOptionsFromUrl } from '../store/data-source-options.util';

/** Options of {@link createTenantMigrationDataSource}. */
export interface TenantMigrationDataSourceOptions {
  /** A PostgreSQL URL (for example `TENANCY_DATABASE_URL`, or a scratch database of the same shape). */
  readonly databaseUrl: string;
  /** The tenant entities (what `TenancyModule.forFeature` gets). */
  readonly entities: EntityTarget[];
  /** The tenant migrations so far (what the `migrations` option gets). */
  readonly migrations?: Array<EntityTarget | string>;
  /** Schema holding a template tenant that migrations are generated against. Default `tenancy_template`. */
  readonly templateSchema?: string;
}

/** The default template schema: it is never a tenant's (tenant schemas carry `schemaPrefix`). */
export const TENANT_MIGRATION_TEMPLATE_SCHEMA = 'tenancy_template';

/**
 * A DataSource for TypeORM's own CLI that writes tenant-neutral migrations (issue 12). It stands
 * for one template tenant in `templateSchema` (created on `initialize()` if missing; `search_path`
 * is that schema only, and the history table is `tenancy_migrations`, like every tenant's):
 * `typeorm migration:run -d <file>` brings it up to date, then `typeorm migration:generate -d
 * <file> src/migrations/Name` compares the entities with it and writes SQL without the template's
 * schema qualifier (TypeORM writes `"<schema>".` into enum types and the like), so the migration
 * runs in every tenant's schema, in tenant databases and on the shared RLS tables. PostgreSQL.
 * @example
 * // tenant-migrations.data-source.ts
 * export default createTenantMigrationDataSource({
 *   databaseUrl: process.env.TENANCY_DATABASE_URL!,
 *   entities: [Order, Customer],
 *   migrations: ['src/migrations/*.ts'],
 * });
 */
export function createTenantMigrationDataSource(options: TenantMigrationDataSourceOptions): DataSource {
  const schema = options.templateSchema ?? TENANT_MIGRATION_TEMPLATE_SCHEMA;
  const base = dataSourceOptionsFromUrl(options.databaseUrl) as unknown as Record<string, unknown>;
  if (base.type !== 'postgres') {
    throw new TenancyConfigError(
      'createTenantMigrationDataSource supports PostgreSQL URLs; on MySQL/MariaDB and SQLite TypeORM already writes ' +
        'unqualified SQL: generate against a tenant database with a plain DataSource.',
    );
  }
  const create = postgresDdl.createNamespace(schema)[0]; // validated and quoted
  const dataSource = new DataSource({
    ...base,
    entities: options.entities,
    migrations: options.migrations ?? [],
    migrationsTableName: 'tenancy_migrations',
    schema,
    extra: { ...((base.extra as object) ?? {}), options: `-c search_path=${schema}` },
  } as DataSourceOptions);
  const initialize = dataSource.initialize.bind(dataSource);
  dataSource.initialize = async () => {
    await initialize();
    await dataSource.query(create);
    return dataSource;
  };
  neutralizeGeneratedSql(dataSource, schema);
  return dataSource;
}

/** The schema builder's SQL (what `migration:generate` writes) without `"<schema>".` qualifiers. */
function neutralizeGeneratedSql(dataSource: DataSource, schema: string): void {
  const qualifier = `"${schema}".`;
  const driver = dataSource.driver;
  const createSchemaBuilder = driver.createSchemaBuilder.bind(driver);
  driver.createSchemaBuilder = () => {
    const builder = createSchemaBuilder();
    const log = builder.log.bind(builder);
    builder.log = async () => {
      const sql = await log();
      for (const q of [...sql.upQueries, ...sql.downQueries]) q.query = q.query.split(qualifier).join('');
      return sql;
    };
    return builder;
  };
}

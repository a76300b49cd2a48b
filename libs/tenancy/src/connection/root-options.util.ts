import type { DataSourceOptions } from 'typeorm';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import type { Dialect } from '../isolation/dialects/dialect.types';
import { TenantIdSubscriber } from '../isolation/tenant-id.subscriber';
import { dataSourceOptionsFromUrl } from '../store/data-source-options.util';
import { withTimeouts } from './driver-timeouts.util';
import { withPassthrough } from './typeorm-passthrough.util';

/** @internal The entities option of a DataSource. */
export type Entities = NonNullable<DataSourceOptions['entities']>;

/**
 * @internal Options of a pool on `options.databaseUrl` (the root pool, the owner's, a migration
 * pool): the user's TypeORM passthrough and the driver timeouts applied. PostgreSQL pools start
 * with an empty search_path.
 */
export function rootOptions(options: ResolvedTenancyOptions, dialect: Dialect, entities: Entities): DataSourceOptions {
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

/** @internal How a tenant namespace is expressed per dialect: schema, database, or table prefix. */
export function namespaceOption(dialect: Dialect, name: string): Record<string, unknown> {
  if (dialect === 'mysql') return { database: name };
  if (dialect === 'sqlite') return { entityPrefix: name };
  return { schema: name };
}

/** @internal Options of a DataSource of tenant entities, over the root pool's: never synchronized or migrated on start. */
export function tenantOptions(root: DataSourceOptions, entities: Entities): Record<string, unknown> {
  return { ...root, entities, synchronize: false, migrationsRun: false, subscribers: [TenantIdSubscriber] };
}

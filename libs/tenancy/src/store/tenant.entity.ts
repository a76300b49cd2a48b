import { EntitySchema, type DataSourceOptions, type EntitySchemaColumnOptions, type ValueTransformer } from 'typeorm';
import type { TenantIsolation, TenantStatus } from '../models/tenant.model';

/** @internal One row of the `tenants` table, as TypeORM hydrates it. */
export interface TenantRow {
  id: string;
  identifier: string;
  name: string;
  status: TenantStatus;
  isolationStrategy: TenantIsolation;
  tier: string;
  databaseUrl: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** SQL families whose column types differ. */
export type TenantTableDialect = 'postgres' | 'mysql' | 'sqlite' | 'mssql';

type Col = EntitySchemaColumnOptions;
interface DialectTypes {
  uuid: Col;
  text: Col;
  longText: Col;
  json: Col;
  time: Col;
}

const TYPES: Record<TenantTableDialect, DialectTypes> = {
  postgres: {
    uuid: { type: 'uuid' },
    text: { type: 'varchar' },
    longText: { type: 'text' },
    json: { type: 'jsonb' },
    time: { type: 'timestamptz', precision: 3 },
  },
  mysql: {
    uuid: vc36(),
    text: { type: 'varchar' },
    longText: { type: 'text' },
    json: { type: 'simple-json' },
    time: { type: 'datetime', precision: 3 },
  },
  sqlite: {
    uuid: vc36(),
    text: { type: 'varchar' },
    longText: { type: 'text' },
    json: { type: 'simple-json' },
    time: { type: 'datetime' },
  },
  // varchar(36), not uniqueidentifier: SQL Server returns GUIDs upper-cased, breaking round trips.
  // JSON in nvarchar(MAX): TypeORM's simple-json would pick the deprecated ntext.
  mssql: {
    uuid: vc36(),
    text: { type: 'nvarchar' },
    longText: { type: 'nvarchar', length: 'MAX' },
    json: { type: 'nvarchar', length: 'MAX', transformer: json() },
    time: { type: 'datetime2', precision: 3 },
  },
};

const schemas = new Map<TenantTableDialect, EntitySchema<TenantRow>>();

/** The dialect family of a TypeORM driver type. */
export function tenantTableDialect(type: DataSourceOptions['type']): TenantTableDialect {
  if (type === 'postgres' || type === 'aurora-postgres' || type === 'cockroachdb') return 'postgres';
  if (type === 'mysql' || type === 'mariadb' || type === 'aurora-mysql') return 'mysql';
  if (type === 'mssql') return 'mssql';
  return 'sqlite';
}

/**
 * The `EntitySchema` of the `tenants` table for a driver type (one shared instance per dialect:
 * TypeORM finds metadata by schema identity). List it in the `entities` of the DataSource given
 * to `TypeOrmTenantStore`.
 */
export function tenantEntitySchema(type: DataSourceOptions['type']): EntitySchema<TenantRow> {
  const dialect = tenantTableDialect(type);
  let schema = schemas.get(dialect);
  if (!schema) schemas.set(dialect, (schema = buildSchema(TYPES[dialect])));
  return schema;
}

function buildSchema(t: DialectTypes): EntitySchema<TenantRow> {
  return new EntitySchema<TenantRow>({
    name: 'TenancyTenant',
    tableName: 'tenants',
    columns: {
      id: { ...t.uuid, primary: true, primaryKeyConstraintName: 'PK_tenants' },
      identifier: { ...t.text, length: 255 },
      name: { ...t.text, length: 255 },
      status: { ...t.text, length: 20 },
      isolationStrategy: { ...t.text, length: 20, name: 'isolation_strategy' },
      tier: { ...t.text, length: 50 },
      databaseUrl: { ...t.longText, name: 'database_url', nullable: true },
      metadata: { ...t.json },
      createdAt: { ...t.time, name: 'created_at' },
      updatedAt: { ...t.time, name: 'updated_at' },
    },
    uniques: [{ name: 'UQ_tenants_identifier', columns: ['identifier'] }],
    indices: [{ name: 'IDX_tenants_created_at_id', columns: ['createdAt', 'id'] }],
  });
}

function json(): ValueTransformer {
  return {
    to: (value: unknown) => (value === undefined ? undefined : JSON.stringify(value)),
    from: (value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
  };
}

function vc36(): Col {
  return { type: 'varchar', length: 36 };
}

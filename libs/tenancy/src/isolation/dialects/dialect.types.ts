/** SQL dialects the library speaks. MySQL covers MariaDB. */
export type Dialect = 'postgres' | 'mysql' | 'sqlite' | 'mssql';

/** Every supported dialect. */
export const DIALECTS: readonly Dialect[] = ['postgres', 'mysql', 'sqlite', 'mssql'];

/** SQL with its bound parameters, in the placeholder style of the dialect's driver. */
export interface ParameterizedQuery {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * DDL for tenant namespaces and databases in one dialect. Every method validates its names
 * (`^[a-z_][a-z0-9_]*$` and the dialect's byte limit) and quotes them, or throws
 * `TenancyError`; nothing is interpolated raw and nothing is truncated.
 * A "namespace" is what schema-per-tenant creates: a PostgreSQL/MSSQL schema, a MySQL
 * database, nothing in SQLite (a table prefix).
 */
export interface DialectDdl {
  readonly dialect: Dialect;
  /** Longest accepted name in bytes (PostgreSQL 63, MySQL 64, MSSQL 128, SQLite 64). */
  readonly maxNameBytes: number;
  /** Validates `name` and returns it quoted for this dialect. */
  quoteIdentifier(name: string): string;
  /** Statements creating the tenant namespace, idempotent; empty when the dialect needs none. */
  createNamespace(name: string): readonly string[];
  /** Statements dropping the namespace and everything in it, idempotent. */
  dropNamespace(name: string): readonly string[];
  /** Statements creating a tenant database; empty where a database is a file (SQLite). */
  createDatabase(name: string): readonly string[];
  /** Statements dropping a tenant database, idempotent; empty for SQLite. */
  dropDatabase(name: string): readonly string[];
  /** A query returning one row when the database exists; `null` when it is a file (SQLite). */
  databaseExistsQuery(name: string): ParameterizedQuery | null;
}

import type { Dialect, ParameterizedQuery } from './dialects/dialect.types';

/**
 * @internal A query returning at least one row when the namespace `name` exists (PostgreSQL and
 * MSSQL schemas, MySQL databases); `null` for SQLite, where a table prefix exists only through
 * its tables.
 */
export function namespaceExistsQuery(dialect: Dialect, name: string): ParameterizedQuery | null {
  if (dialect === 'postgres') return { sql: 'SELECT 1 FROM pg_namespace WHERE nspname = $1', params: [name] };
  if (dialect === 'mysql')
    return { sql: 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', params: [name] };
  if (dialect === 'mssql') return { sql: 'SELECT 1 FROM sys.schemas WHERE name = @0', params: [name] };
  return null;
}

/** @internal Rows when the namespace `name` holds any object (table, view, sequence, routine, type). */
export function namespaceContentsQuery(dialect: Dialect, name: string): ParameterizedQuery {
  if (dialect === 'postgres') return { sql: `${PG_CONTENTS} AND n.nspname = $1 LIMIT 1`, params: [name] };
  if (dialect === 'mysql')
    return {
      sql:
        'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? UNION ALL ' +
        'SELECT 1 FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? LIMIT 1',
      params: [name, name],
    };
  if (dialect === 'mssql')
    return {
      sql: 'SELECT TOP 1 1 AS found FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id WHERE s.name = @0 AND o.is_ms_shipped = 0',
      params: [name],
    };
  // SQLite schema mode is a table prefix: `_` is a LIKE wildcard, so escape it.
  return {
    sql: "SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name LIKE ? ESCAPE '\\' LIMIT 1",
    params: [`${name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
  };
}

/** @internal Rows when the database the query runs in holds any user object. */
export function databaseContentsQuery(dialect: Dialect): string {
  if (dialect === 'postgres')
    return `${PG_CONTENTS} AND n.nspname NOT IN ('information_schema') AND n.nspname NOT LIKE 'pg\\_%' LIMIT 1`;
  if (dialect === 'mysql')
    return (
      'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() UNION ALL ' +
      'SELECT 1 FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() LIMIT 1'
    );
  if (dialect === 'mssql') return 'SELECT TOP 1 1 AS found FROM sys.objects WHERE is_ms_shipped = 0';
  return "SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' LIMIT 1";
}

// Relations (tables, views, sequences, indexes), routines, and standalone types (enums, domains).
const PG_CONTENTS = `SELECT 1 FROM pg_namespace n WHERE (
  EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid)
  OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = n.oid)
  OR EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = n.oid AND t.typrelid = 0 AND t.typcategory <> 'A'))`;

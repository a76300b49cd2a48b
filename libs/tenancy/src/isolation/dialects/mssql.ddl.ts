import type { DialectDdl, ParameterizedQuery } from './dialect.types';
import { MAX_NAME_BYTES, identifierQuoter } from './physical-name.util';
import { assertTenantOwnedName } from './reserved-names.util';

const quoteIdentifier = identifierQuoter('mssql', '[', ']');
// Validated names hold no `'` or `]`, so N'…' and […] need no escaping.
const schema = (name: string) => assertTenantOwnedName(name, 'mssql', 'tenant schema');
const database = (name: string) => assertTenantOwnedName(name, 'mssql', 'tenant database');

/** Runs `DROP …` for every row of `from` (aliased `o`, `o.name` the object) in schema @schema. */
const dropEach = (statement: string, from: string): string[] => [
  `  SELECT @sql = STRING_AGG(CAST(${statement} AS nvarchar(max)), N'; ') FROM ${from} WHERE o.schema_id = SCHEMA_ID(@schema);`,
  '  IF @sql IS NOT NULL EXEC sys.sp_executesql @sql;',
];

/**
 * SQL Server drops a schema only once it is empty: drop its foreign keys, views and tables first
 * (STRING_AGG needs SQL Server 2017+). Other objects (procedures, functions, types) make the
 * final DROP SCHEMA fail loudly rather than be left behind silently.
 */
function dropSchemaBatch(name: string): string {
  const target = `QUOTENAME(@schema) + N'.' + `;
  return [
    `DECLARE @schema sysname = N'${schema(name)}';`,
    'DECLARE @sql nvarchar(max);',
    'IF SCHEMA_ID(@schema) IS NOT NULL',
    'BEGIN',
    ...dropEach(
      `N'ALTER TABLE ' + ${target}QUOTENAME(OBJECT_NAME(o.parent_object_id)) + N' DROP CONSTRAINT ' + QUOTENAME(o.name)`,
      'sys.foreign_keys AS o',
    ),
    ...dropEach(`N'DROP VIEW ' + ${target}QUOTENAME(o.name)`, 'sys.views AS o'),
    ...dropEach(`N'DROP TABLE ' + ${target}QUOTENAME(o.name)`, 'sys.tables AS o'),
    `  DROP SCHEMA ${quoteIdentifier(name)};`,
    'END',
  ].join('\n');
}

/**
 * SQL Server: schema-per-tenant uses schemas (`CREATE SCHEMA` must start its own batch, hence
 * `EXEC`), database-per-tenant databases. Generated and unit-tested only; no server runs here.
 */
export const mssqlDdl: DialectDdl = Object.freeze({
  dialect: 'mssql',
  maxNameBytes: MAX_NAME_BYTES.mssql,
  quoteIdentifier,
  createNamespace: (name: string) => [`IF SCHEMA_ID(N'${schema(name)}') IS NULL EXEC(N'CREATE SCHEMA [${name}]')`],
  dropNamespace: (name: string) => [dropSchemaBatch(name)],
  createDatabase: (name: string) => [`IF DB_ID(N'${database(name)}') IS NULL CREATE DATABASE ${quoteIdentifier(name)}`],
  dropDatabase: (name: string) => [
    `IF DB_ID(N'${database(name)}') IS NOT NULL BEGIN ALTER DATABASE ${quoteIdentifier(name)} ` +
      `SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE ${quoteIdentifier(name)}; END`,
  ],
  databaseExistsQuery: (name: string): ParameterizedQuery => ({
    sql: 'SELECT 1 AS present WHERE DB_ID(@0) IS NOT NULL',
    params: [database(name)],
  }),
});

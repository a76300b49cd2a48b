import type { DialectDdl, ParameterizedQuery } from './dialect.types';
import { MAX_NAME_BYTES, identifierQuoter } from './physical-name.util';
import { rlsForcedCheckQuery, rlsStatements, roleBypassQuery } from './postgres-rls.ddl';
import { assertTenantOwnedName } from './reserved-names.util';

/** PostgreSQL DDL, plus the row-level security statements and checks. */
export interface PostgresDdl extends DialectDdl {
  readonly dialect: 'postgres';
  rlsStatements: typeof rlsStatements;
  rlsForcedCheckQuery: typeof rlsForcedCheckQuery;
  roleBypassQuery: typeof roleBypassQuery;
}

const quoteIdentifier = identifierQuoter('postgres', '"', '"');
const owned = (name: string, what: string): string => quoteIdentifier(assertTenantOwnedName(name, 'postgres', what));

/**
 * PostgreSQL: schema-per-tenant uses schemas, database-per-tenant databases.
 * `CREATE DATABASE` has no `IF NOT EXISTS` and cannot run inside a transaction: check
 * {@link PostgresDdl.databaseExistsQuery} first. `DROP DATABASE … WITH (FORCE)` needs PostgreSQL 13+.
 * @example postgresDdl.createNamespace('t_acme') // ['CREATE SCHEMA IF NOT EXISTS "t_acme"']
 */
export const postgresDdl: PostgresDdl = Object.freeze({
  dialect: 'postgres',
  maxNameBytes: MAX_NAME_BYTES.postgres,
  quoteIdentifier,
  createNamespace: (name: string) => [`CREATE SCHEMA IF NOT EXISTS ${owned(name, 'tenant schema')}`],
  dropNamespace: (name: string) => [`DROP SCHEMA IF EXISTS ${owned(name, 'tenant schema')} CASCADE`],
  createDatabase: (name: string) => [`CREATE DATABASE ${owned(name, 'tenant database')}`],
  dropDatabase: (name: string) => [`DROP DATABASE IF EXISTS ${owned(name, 'tenant database')} WITH (FORCE)`],
  databaseExistsQuery: (name: string): ParameterizedQuery => ({
    sql: 'SELECT 1 FROM pg_database WHERE datname = $1',
    params: [assertTenantOwnedName(name, 'postgres', 'tenant database')],
  }),
  rlsStatements,
  rlsForcedCheckQuery,
  roleBypassQuery,
});

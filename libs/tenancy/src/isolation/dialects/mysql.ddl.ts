import type { DialectDdl, ParameterizedQuery } from './dialect.types';
import { MAX_NAME_BYTES, identifierQuoter } from './physical-name.util';
import { assertTenantOwnedName } from './reserved-names.util';

const quoteIdentifier = identifierQuoter('mysql', '`', '`');
const owned = (name: string): string => quoteIdentifier(assertTenantOwnedName(name, 'mysql', 'tenant database'));
const createDatabase = (name: string): string[] => [`CREATE DATABASE IF NOT EXISTS ${owned(name)}`];
const dropDatabase = (name: string): string[] => [`DROP DATABASE IF EXISTS ${owned(name)}`];

/**
 * MySQL / MariaDB: a schema is a database, so schema-per-tenant and database-per-tenant
 * emit the same statements.
 * @example mysqlDdl.createNamespace('t_acme') // ['CREATE DATABASE IF NOT EXISTS `t_acme`']
 */
export const mysqlDdl: DialectDdl = Object.freeze({
  dialect: 'mysql',
  maxNameBytes: MAX_NAME_BYTES.mysql,
  quoteIdentifier,
  createNamespace: createDatabase,
  dropNamespace: dropDatabase,
  createDatabase,
  dropDatabase,
  databaseExistsQuery: (name: string): ParameterizedQuery => ({
    sql: 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    params: [assertTenantOwnedName(name, 'mysql', 'tenant database')],
  }),
});

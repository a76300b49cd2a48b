import type { DialectDdl } from './dialect.types';
import { MAX_NAME_BYTES, identifierQuoter } from './physical-name.util';
import { assertTenantOwnedName } from './reserved-names.util';

const quoteIdentifier = identifierQuoter('sqlite', '"', '"');
// No DDL, but names are still validated so every dialect refuses the same bad input.
const none =
  (what: string) =>
  (name: string): string[] => {
    assertTenantOwnedName(name, 'sqlite', what);
    return [];
  };

/**
 * SQLite: schema-per-tenant is a table prefix (see `tablePrefixFor`) and database-per-tenant a
 * file per tenant (see `buildTenantDatabaseUrl`), so no namespace or database DDL exists.
 */
export const sqliteDdl: DialectDdl = Object.freeze({
  dialect: 'sqlite',
  maxNameBytes: MAX_NAME_BYTES.sqlite,
  quoteIdentifier,
  createNamespace: none('tenant table prefix'),
  dropNamespace: none('tenant table prefix'),
  createDatabase: none('tenant database'),
  dropDatabase: none('tenant database'),
  databaseExistsQuery: (name: string) => {
    assertTenantOwnedName(name, 'sqlite', 'tenant database');
    return null;
  },
});

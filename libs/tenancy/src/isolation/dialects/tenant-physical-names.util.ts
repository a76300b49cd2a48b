import { TenancyError } from '../../errors/tenancy.error';
import { assertValidTenantIdentifier, previewUntrustedInput } from '../../models/tenant-identifier';
import type { Dialect } from './dialect.types';
import { assertTenantOwnedName } from './reserved-names.util';

/** Rule for `schemaPrefix` / `databasePrefix`. */
export const NAME_PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,15}$/;

/** Separates a SQLite tenant's table prefix from the table name. */
export const SQLITE_TABLE_SEPARATOR = '__';

// Injectivity: a valid identifier uses only [a-z0-9-] (never `_`), and `-` → `_` maps that
// alphabet one-to-one onto [a-z0-9_], so the mapping is injective on identifiers; prepending
// one fixed prefix keeps it injective. (`a-b` and `a_b` cannot collide: `a_b` is not a valid
// identifier.) Over-long results are refused, never truncated, which would break this.
function physicalName(prefix: string, identifier: string, dialect: Dialect, what: string, suffix = ''): string {
  if (typeof prefix !== 'string' || !NAME_PREFIX_PATTERN.test(prefix)) {
    throw new TenancyError(
      `Invalid name prefix ${previewUntrustedInput(prefix)}: it must match ^[a-z][a-z0-9_]{0,15}$`,
    );
  }
  assertValidTenantIdentifier(identifier);
  return assertTenantOwnedName(`${prefix}${identifier.replaceAll('-', '_')}${suffix}`, dialect, what);
}

/**
 * The schema of a tenant (MySQL: its database), one-to-one with the identifier.
 * @param dialect decides the length limit; default `postgres` (63 bytes, the strictest).
 * @example schemaNameFor('t_', 'acme-corp') // 't_acme_corp'
 */
export function schemaNameFor(prefix: string, identifier: string, dialect: Dialect = 'postgres'): string {
  return physicalName(prefix, identifier, dialect, 'tenant schema name');
}

/**
 * The database of a tenant under database-per-tenant (SQLite: its file's base name).
 * @example databaseNameFor('tenant_', 'acme-corp') // 'tenant_acme_corp'
 */
export function databaseNameFor(prefix: string, identifier: string, dialect: Dialect = 'postgres'): string {
  return physicalName(prefix, identifier, dialect, 'tenant database name');
}

/**
 * The SQLite table prefix of a tenant (schema-per-tenant on SQLite), at most 64 bytes.
 * @example tablePrefixFor('t_', 'acme-corp') // 't_acme_corp__'
 */
export function tablePrefixFor(prefix: string, identifier: string): string {
  return physicalName(prefix, identifier, 'sqlite', 'tenant table prefix', SQLITE_TABLE_SEPARATOR);
}

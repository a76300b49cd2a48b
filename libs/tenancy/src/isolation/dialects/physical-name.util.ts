import { TenancyError } from '../../errors/tenancy.error';
import { previewUntrustedInput } from '../../models/tenant-identifier';
import type { Dialect } from './dialect.types';

/** Rule for every physical name (schema, database, table prefix, column, policy) put into DDL. */
export const PHYSICAL_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;

/**
 * Longest physical name per dialect, in bytes: PostgreSQL NAMEDATALEN - 1, MySQL's 64, SQL
 * Server's `sysname`; SQLite has no limit, 64 is ours. Valid names are ASCII, so bytes = length.
 */
export const MAX_NAME_BYTES: Readonly<Record<Dialect, number>> = Object.freeze({
  postgres: 63,
  mysql: 64,
  mssql: 128,
  sqlite: 64,
});

/**
 * Throws `TenancyError` unless `name` matches {@link PHYSICAL_NAME_PATTERN} and fits the
 * dialect's limit. Over-long names are refused, never truncated (truncation breaks injectivity).
 */
export function assertPhysicalName(name: unknown, dialect: Dialect, what = 'name'): asserts name is string {
  const limit = MAX_NAME_BYTES[dialect];
  if (typeof name === 'string' && name.length > limit) {
    // Checked before the pattern, so huge inputs never reach a regex.
    throw new TenancyError(
      `Invalid ${what} ${previewUntrustedInput(name)}: longer than the ${dialect} limit of ${limit} ` +
        'bytes. Names are never truncated: use a shorter prefix or tenant identifier.',
    );
  }
  if (typeof name !== 'string' || !PHYSICAL_NAME_PATTERN.test(name)) {
    throw new TenancyError(
      `Invalid ${what} ${previewUntrustedInput(name)}: it must match ^[a-z_][a-z0-9_]*$ ` +
        '(lowercase ASCII letters, digits and "_", not starting with a digit)',
    );
  }
}

/** A function validating a name for `dialect` and wrapping it in `open` … `close`. */
export function identifierQuoter(dialect: Dialect, open: string, close: string): (name: string) => string {
  return (name) => {
    assertPhysicalName(name, dialect, 'identifier');
    return `${open}${name}${close}`;
  };
}

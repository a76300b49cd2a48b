/** Codes drivers use for a unique or primary-key violation. */
const DUPLICATE_CODES: ReadonlySet<unknown> = new Set([
  '23505', // PostgreSQL unique_violation
  'ER_DUP_ENTRY', // MySQL / MariaDB (errno 1062)
  1062,
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT_PRIMARYKEY',
  2627, // SQL Server: violation of a UNIQUE / PRIMARY KEY constraint
  2601, // SQL Server: duplicate key row in a unique index
]);

/**
 * @internal True when `error` (a TypeORM `QueryFailedError` or a raw driver error) reports a
 * duplicate key, on PostgreSQL, MySQL/MariaDB, SQLite (better-sqlite3) or SQL Server.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  for (const e of [error, field(error, 'driverError'), field(field(error, 'driverError'), 'originalError')]) {
    if (!e || typeof e !== 'object') continue;
    if (['code', 'errno', 'number'].some((k) => DUPLICATE_CODES.has(field(e, k)))) return true;
    if (DUPLICATE_CODES.has(field(field(e, 'info'), 'number'))) return true;
  }
  return false;
}

function field(value: unknown, key: string): unknown {
  return value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

import { TenancyError } from '../../errors/tenancy.error';
import { assertPhysicalName } from './physical-name.util';
import { SQLITE_TABLE_SEPARATOR } from './tenant-physical-names.util';

/**
 * The physical SQLite table of `table` for the tenant owning `tablePrefix` (from `tablePrefixFor`).
 * Identifiers may hold `--`, so a prefix may hold `__` (`abc--def` → `t_abc__def__`). The pair
 * (tenant, table) stays one-to-one only if table names contain no `__` and do not start with
 * `_`: then the last `__` of the result is always the separator. Other table names are refused.
 * @example prefixedTableName('t_acme__', 'orders') // 't_acme__orders'
 */
export function prefixedTableName(tablePrefix: string, table: string): string {
  assertPhysicalName(tablePrefix, 'sqlite', 'table prefix');
  if (!tablePrefix.endsWith(SQLITE_TABLE_SEPARATOR)) {
    throw new TenancyError(`Invalid table prefix "${tablePrefix}": it must end with "${SQLITE_TABLE_SEPARATOR}"`);
  }
  assertPhysicalName(table, 'sqlite', 'table name');
  if (table.startsWith('_') || table.includes(SQLITE_TABLE_SEPARATOR)) {
    throw new TenancyError(
      `Table "${table}" cannot be prefixed per tenant on SQLite: table names must not start with "_" ` +
        `or contain "${SQLITE_TABLE_SEPARATOR}", or two tenants' tables could share one name`,
    );
  }
  return `${tablePrefix}${table}`;
}

import { TenancyError } from '../../errors/tenancy.error';
import type { Dialect } from './dialect.types';
import { assertPhysicalName } from './physical-name.util';

interface Reserved {
  readonly names: readonly string[];
  readonly prefixes: readonly string[];
}

// A prefix such as `p` with identifier `ublic` yields `public`: dropping that tenant would drop
// the system's own schema or database, so these names are refused for tenants.
const RESERVED: Readonly<Record<Dialect, Reserved>> = {
  postgres: { names: ['public', 'information_schema', 'postgres', 'template0', 'template1'], prefixes: ['pg_'] },
  mysql: { names: ['mysql', 'information_schema', 'performance_schema', 'sys'], prefixes: [] },
  mssql: {
    names: [
      'dbo',
      'guest',
      'sys',
      'information_schema',
      'master',
      'model',
      'msdb',
      'tempdb',
      'db_owner',
      'db_accessadmin',
      'db_securityadmin',
      'db_ddladmin',
      'db_backupoperator',
      'db_datareader',
      'db_datawriter',
      'db_denydatareader',
      'db_denydatawriter',
    ],
    prefixes: [],
  },
  sqlite: { names: ['main', 'temp'], prefixes: ['sqlite_'] },
};

/** Whether `name` belongs to the database system itself in `dialect` (e.g. `public`, `pg_*`, `mysql`, `dbo`). */
export function isReservedName(name: string, dialect: Dialect): boolean {
  const { names, prefixes } = RESERVED[dialect];
  return names.includes(name) || prefixes.some((p) => name.startsWith(p));
}

/**
 * Validates `name` as a physical name a tenant may own (create or drop) and returns it.
 * Throws `TenancyError` for invalid or system-reserved names.
 */
export function assertTenantOwnedName(name: unknown, dialect: Dialect, what = 'tenant namespace'): string {
  assertPhysicalName(name, dialect, what);
  if (isReservedName(name, dialect)) {
    throw new TenancyError(`Refusing ${what} "${name}": the name is reserved by ${dialect}. Choose another prefix.`);
  }
  return name;
}

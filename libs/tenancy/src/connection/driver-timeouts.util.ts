import type { DataSourceOptions } from 'typeorm';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';

type Timeouts = Pick<ResolvedTenancyOptions, 'connectTimeoutMs' | 'statementTimeoutMs'>;

/**
 * `connectTimeoutMs` and `statementTimeoutMs` in the shape of each TypeORM driver. PostgreSQL's
 * statement timeout travels as a startup option (`-c statement_timeout=`) beside the pool's
 * empty search_path: set on every connection before its first statement, and reset to it by
 * `RESET ALL`. (pg-pool also bounds a wait for a free connection by its connect timeout.)
 */
export function withTimeouts(options: DataSourceOptions, timeouts: Timeouts): DataSourceOptions {
  const { connectTimeoutMs, statementTimeoutMs } = timeouts;
  switch (options.type) {
    case 'postgres': {
      const extra = { ...((options.extra as Record<string, unknown>) ?? {}) };
      if (statementTimeoutMs > 0) {
        extra.options = [extra.options, `-c statement_timeout=${statementTimeoutMs}`].filter(Boolean).join(' ');
      }
      return { ...options, connectTimeoutMS: connectTimeoutMs, extra };
    }
    case 'mysql':
      return { ...options, connectTimeout: connectTimeoutMs };
    case 'mssql':
      return { ...options, connectionTimeout: connectTimeoutMs };
    default:
      return options;
  }
}

import type { DataSourceOptions } from 'typeorm';
import type { TypeOrmPassthrough } from '../config/tenancy-options.interface';
import { withPgClientErrorListener } from '../store/pg-client-errors.util';

/**
 * The `typeorm` option over DataSource options the library built: its keys are added, its `extra`
 * goes under the library's (the library's keys win; `extra.options` startup options are joined,
 * the library's last so they take effect; an `extra.onConnect` still runs, after the library's
 * client error listener). `retryAttempts`/`retryDelay` are the library's own, never passed on.
 */
export function withPassthrough(options: DataSourceOptions, passthrough?: TypeOrmPassthrough): DataSourceOptions {
  if (!passthrough) return options;
  const { retryAttempts: _attempts, retryDelay: _delay, extra: theirs = {}, ...rest } = passthrough;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const ours = (options.extra ?? {}) as Record<string, unknown>;
  const extra: Record<string, unknown> = { ...theirs, ...ours };
  if (theirs.options && ours.options) extra.options = `${String(theirs.options)} ${String(ours.options)}`;
  const merged = { ...options, ...given, extra } as DataSourceOptions;
  if (options.type !== 'postgres' || typeof theirs.onConnect !== 'function') return merged;
  return {
    ...merged,
    extra: withPgClientErrorListener({ ...extra, onConnect: theirs.onConnect }),
  } as DataSourceOptions;
}

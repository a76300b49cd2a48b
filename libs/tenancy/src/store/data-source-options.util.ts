import type { DataSourceOptions } from 'typeorm';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { withPgClientErrorListener } from './pg-client-errors.util';

/**
 * Maps one of the library's database URLs to TypeORM `DataSource` options; `extra` is merged
 * over the result (e.g. `{ poolSize: 5, entities: [...] }`).
 * - `postgresql://…` / `postgres://…` → `postgres` (the URL goes to pg as its connection string;
 *   every pool client keeps an 'error' listener, so a backend that dies never crashes the process);
 * - `mysql://…` / `mariadb://…` → `mysql` (mysql2), with `timezone: 'Z'` so DATETIME holds UTC;
 * - `mssql://user:pass@host:1433/db?encrypt=false&trustServerCertificate=true` → `mssql`;
 * - `sqlite:<path>` (also `sqlite://<path>`) → `better-sqlite3`; `sqlite::memory:` → `:memory:`.
 * Throws `TenancyConfigError` for any other scheme (the message names the scheme only: URLs
 * carry passwords).
 * @example
 * new DataSource(dataSourceOptionsFromUrl('sqlite:./data/master.sqlite', { entities }));
 */
export function dataSourceOptionsFromUrl(url: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
  const options = { ...baseOptions(url), ...extra } as DataSourceOptions;
  if (options.type !== 'postgres') return options;
  return { ...options, extra: withPgClientErrorListener(options.extra) };
}

function baseOptions(url: string): DataSourceOptions {
  if (/^postgres(ql)?:\/\//i.test(url)) return { type: 'postgres', url };
  if (/^(mysql|mariadb):\/\//i.test(url)) {
    return { type: 'mysql', url: url.replace(/^mariadb:/i, 'mysql:'), timezone: 'Z' };
  }
  if (/^mssql:\/\//i.test(url)) return mssqlOptions(new URL(url));
  if (/^sqlite:/i.test(url)) return { type: 'better-sqlite3', database: sqlitePath(url) };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1] ?? '(none)';
  throw new TenancyConfigError(
    `Unsupported database URL scheme "${scheme}": use postgresql://, mysql://, mariadb://, mssql:// or sqlite:<path>`,
  );
}

function sqlitePath(url: string): string {
  const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
  if (path === ':memory:' || path === '') return ':memory:';
  return path;
}

function mssqlOptions(u: URL): DataSourceOptions {
  const params = new Map([...u.searchParams].map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
  const param = (name: string) => params.get(name);
  return {
    type: 'mssql',
    host: decodeURIComponent(u.hostname),
    port: u.port ? Number(u.port) : 1433,
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    options: {
      encrypt: param('encrypt') !== 'false',
      trustServerCertificate: param('trustservercertificate') === 'true',
    },
  };
}

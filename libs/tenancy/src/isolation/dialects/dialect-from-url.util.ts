import { TenancyError } from '../../errors/tenancy.error';
import type { Dialect } from './dialect.types';

const SCHEMES: ReadonlyArray<readonly [string, Dialect]> = [
  ['postgres://', 'postgres'],
  ['postgresql://', 'postgres'],
  ['mysql://', 'mysql'],
  ['mariadb://', 'mysql'],
  ['mssql://', 'mssql'],
  ['sqlite:', 'sqlite'],
];

/**
 * The dialect of a database URL, from its scheme (case-insensitive).
 * Throws `TenancyError` naming only the scheme, never the rest of the URL (it holds credentials).
 * @example dialectFromUrl('postgresql://app@db/main') // 'postgres'
 */
export function dialectFromUrl(url: string): Dialect {
  const head = typeof url === 'string' ? url.slice(0, 16).toLowerCase() : '';
  const match = SCHEMES.find(([scheme]) => head.startsWith(scheme));
  if (match) return match[1];
  const scheme = /^[a-z][a-z0-9+.-]{0,15}:/.exec(head)?.[0] ?? '(none)';
  throw new TenancyError(
    `Unsupported database URL scheme ${JSON.stringify(scheme)}: expected postgresql://, postgres://, ` +
      'mysql://, mariadb://, mssql:// or sqlite:<path>',
  );
}

import { SCHEMA_PLACEHOLDER } from '../connection/shared-pool-view';
import { SQLITE_TABLE_SEPARATOR } from './dialects/tenant-physical-names.util';
import { TenancyError } from '../errors/tenancy.error';
import { sqlWords } from './sql-words.util';

/** The better-sqlite3 handle (`runner.connect()`), as far as the guard reads it. */
export interface SqliteCatalogHandle {
  pragma(source: string, options: { simple: true }): unknown;
  prepare(source: string): { pluck(): { all(): unknown[] } };
}

interface Catalog {
  readonly version: string;
  readonly names: ReadonlySet<string>;
}

/** Statements that may touch the whole file: never from a tenant. */
const FORBIDDEN_KEYWORDS = new Set(['attach', 'detach', 'pragma', 'vacuum']);
/** TypeORM's own statement when a transaction names an isolation level. */
const ISOLATION_PRAGMA = /^PRAGMA read_uncommitted = (true|false)$/;
const MAX_APPROVED = 256;
const catalogs = new WeakMap<object, Catalog>();

/**
 * Admits a statement on a SQLite schema-mode tenant view only if every word of it (outside
 * literals and comments) that names a table, view, index or trigger of the shared file names one
 * of this tenant's (`<prefix><table>`), and it uses no `sqlite_*` table, pragma function, PRAGMA,
 * ATTACH, DETACH or VACUUM. The file's object names are re-read whenever its schema version
 * changes; approved statements are remembered per tenant until then.
 */
export class SqliteTableGuard {
  private readonly approved = new Map<string, string>();
  private readonly prefix: string;

  constructor(tablePrefix: string) {
    this.prefix = tablePrefix.toLowerCase();
  }

  check(handle: SqliteCatalogHandle, sql: string): void {
    if (ISOLATION_PRAGMA.test(sql)) return;
    const catalog = catalogOf(handle);
    if (this.approved.get(sql) === catalog.version) return;
    for (const word of sqlWords(sql, 'sqlite')) {
      if (!word.quoted && FORBIDDEN_KEYWORDS.has(word.name)) refuse(`${word.name.toUpperCase()} is not allowed`);
      if (word.name.startsWith('sqlite_') || word.name.startsWith('pragma_') || word.name === 'dbstat') {
        refuse(`"${word.name}" reads the whole file`);
      }
      if (catalog.names.has(word.name) && !this.owns(word.name)) refuse(`"${word.name}" is not a table of this tenant`);
    }
    if (this.approved.size >= MAX_APPROVED) this.approved.clear();
    this.approved.set(sql, catalog.version);
  }

  private owns(name: string): boolean {
    return ownsPrefixedName(this.prefix, name);
  }
}

const MAY_ATTACH = /attach|detach/i;

/**
 * Refuses ATTACH and DETACH on a library-owned SQLite connection (any mode): a tenant's raw SQL
 * could otherwise attach another tenant's file (database mode) and read it. TypeORM's own
 * attachments happen in `initialize()`, before this applies.
 */
export function assertNoAttach(sql: string): void {
  if (!MAY_ATTACH.test(sql)) return;
  const word = sqlWords(sql, 'sqlite').find((w) => !w.quoted && (w.name === 'attach' || w.name === 'detach'));
  if (word) {
    throw new TenancyError(
      `SQL refused: ${word.name.toUpperCase()} would give this connection another database file (another ` +
        "tenant's, in database mode). Tenants reach only their own file.",
    );
  }
}

/**
 * Whether `name` is one of the tenant's tables: `<prefix><table>` where `table` holds no
 * separator, so never another tenant's (see prefixedTableName). Case-insensitive, as SQLite.
 */
export function ownsPrefixedName(tablePrefix: string, name: string): boolean {
  const prefix = tablePrefix.toLowerCase();
  const lower = name.toLowerCase();
  if (!lower.startsWith(prefix)) return false;
  const table = lower.slice(prefix.length);
  return !table.startsWith('_') && !table.includes(SQLITE_TABLE_SEPARATOR);
}

function catalogOf(handle: SqliteCatalogHandle): Catalog {
  const version = `${handle.pragma('schema_version', { simple: true })}:${handle.pragma('temp.schema_version', { simple: true })}`;
  const known = catalogs.get(handle);
  if (known?.version === version) return known;
  const names = handle
    .prepare('SELECT lower(name) FROM sqlite_master UNION ALL SELECT lower(name) FROM sqlite_temp_master')
    .pluck()
    .all() as string[];
  const catalog = { version, names: new Set(names) };
  catalogs.set(handle, catalog);
  return catalog;
}

function refuse(cause: string): never {
  throw new TenancyError(
    `Raw SQL refused on a SQLite schema-mode tenant: ${cause}. Name only the tenant's tables, written ` +
      `"${SCHEMA_PLACEHOLDER}<table>" (the tenant's table prefix is substituted); other tenants' tables, the ` +
      'tenants registry, sqlite_* tables, pragma functions, PRAGMA, ATTACH, DETACH and VACUUM are refused.',
  );
}

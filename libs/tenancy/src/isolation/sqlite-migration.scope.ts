import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { SCHEMA_PLACEHOLDER } from '../connection/shared-pool-view';
import { TenancyError } from '../errors/tenancy.error';
import { replacer } from './schema-rewrite.binding';
import { SqliteTableGuard, ownsPrefixedName, type SqliteCatalogHandle } from './sqlite-table.guard';

/** The better-sqlite3 handle, as far as the scope reads it. */
interface SqliteHandle extends SqliteCatalogHandle {
  exec(source: string): unknown;
  prepare(source: string): { all(): unknown[]; pluck(): { all(): unknown[] } };
}

type Catalog = Map<string, { tblName: string; entry: string }>;

const CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const SAVEPOINT = 'tenancy_migration_scope';

/**
 * SQLite schema mode (a table prefix per tenant in one file): the same raw-SQL rule for a
 * tenant's migrations as for its requests (issue 20, item 2). Every statement has
 * `"__tenancy_schema__<table>"` replaced by the tenant's prefix. A statement the migration itself
 * sends passes the `SqliteTableGuard` (only the tenant's tables) before it runs; after it and
 * after each migration, every object of the file created, changed or dropped must belong to one
 * of the tenant's tables, or the migration is undone and refused, the statement named.
 * Statements TypeORM's own QueryRunner methods send (catalog reads of `createTable`,
 * `addColumn`...) are checked by the object rule only. `dataSource` is the tenant's own
 * migration DataSource (one connection); it is patched in place.
 */
export function scopeSqliteMigrations(dataSource: DataSource, tablePrefix: string): DataSource {
  const rewrite = replacer(`"${SCHEMA_PLACEHOLDER}`, `"${tablePrefix}`);
  const guard = new SqliteTableGuard(tablePrefix);
  const state = { inMigration: false, apiDepth: 0 };
  const driver = dataSource.driver as unknown as { createQueryRunner(mode: 'master' | 'slave'): QueryRunner };
  const create = driver.createQueryRunner.bind(driver);
  const scoped = new WeakSet<QueryRunner>();
  driver.createQueryRunner = (mode) => {
    const runner = create(mode);
    if (!scoped.has(runner)) scopeRunner(runner, rewrite, guard, tablePrefix, state, scoped);
    return runner;
  };
  for (const migration of dataSource.migrations) wrapMigration(migration, tablePrefix, state);
  return dataSource;
}

function scopeRunner(
  runner: QueryRunner,
  rewrite: (sql: string) => string,
  guard: SqliteTableGuard,
  prefix: string,
  state: { inMigration: boolean; apiDepth: number },
  scoped: WeakSet<QueryRunner>,
): void {
  scoped.add(runner);
  const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
  // TypeORM's QueryRunner methods (not the migration's own SQL): counted while they run.
  for (const name of runnerMethods(runner)) {
    const method = (runner as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    (runner as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      state.apiDepth++;
      let result: unknown;
      try {
        result = method.apply(this, args);
      } catch (error) {
        state.apiDepth--;
        throw error;
      }
      if (!(result instanceof Promise)) {
        state.apiDepth--;
        return result;
      }
      return result.finally(() => state.apiDepth--);
    };
  }
  (runner as { query: unknown }).query = async (sql: string, ...rest: unknown[]) => {
    const out = rewrite(sql);
    if (!state.inMigration || state.apiDepth > 0 || CONTROL.test(out)) return query(out, ...rest);
    const handle = (await runner.connect()) as SqliteHandle;
    try {
      guard.check(handle, out);
    } catch (error) {
      throw new TenancyError(`A tenant migration statement was refused: ${messageOf(error)} Statement: ${out}`);
    }
    const before = catalogOf(handle);
    const result = await query(out, ...rest);
    const foreign = foreignChanges(before, catalogOf(handle), prefix);
    if (foreign.length > 0) refuse(foreign, `the statement ${out}`);
    return result;
  };
}

function wrapMigration(
  migration: MigrationInterface,
  prefix: string,
  state: { inMigration: boolean; apiDepth: number },
): void {
  const name = migration.name ?? migration.constructor.name;
  for (const step of ['up', 'down'] as const) {
    const run = migration[step].bind(migration);
    migration[step] = async (runner: QueryRunner) => {
      const handle = (await runner.connect()) as SqliteHandle;
      const before = catalogOf(handle);
      handle.exec(`SAVEPOINT ${SAVEPOINT}`);
      state.inMigration = true;
      try {
        await run(runner);
        const foreign = foreignChanges(before, catalogOf(handle), prefix);
        if (foreign.length > 0) refuse(foreign, `migration ${name} (${step})`);
        handle.exec(`RELEASE ${SAVEPOINT}`);
      } catch (error) {
        try {
          handle.exec(`ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
        } catch {
          // the transaction is gone already (SQLite rolled it back): nothing of the migration stays
        }
        throw error;
      } finally {
        state.inMigration = false;
      }
    };
  }
}

function runnerMethods(runner: QueryRunner): string[] {
  const skip = new Set(['constructor', 'query', 'connect', 'release']);
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(runner); proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (!skip.has(name) && typeof descriptor?.value === 'function') names.add(name);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return [...names];
}

function catalogOf(handle: SqliteHandle): Catalog {
  const rows = handle.prepare('SELECT type, name, tbl_name, sql FROM main.sqlite_master').all() as unknown as Array<{
    type: string;
    name: string;
    tbl_name: string;
    sql: string | null;
  }>;
  return new Map(rows.map((r) => [r.name, { tblName: r.tbl_name, entry: `${r.type}|${r.tbl_name}|${r.sql}` }]));
}

/** Objects created, changed or dropped whose table is not the tenant's. */
function foreignChanges(before: Catalog, after: Catalog, prefix: string): string[] {
  const foreign: string[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(name);
    const is = after.get(name);
    if (was?.entry === is?.entry) continue;
    for (const table of [was?.tblName, is?.tblName])
      if (table !== undefined && !ownsPrefixedName(prefix, table)) foreign.push(name);
  }
  return [...new Set(foreign)];
}

function refuse(objects: string[], by: string): never {
  throw new TenancyError(
    `A tenant migration was refused on SQLite schema mode: ${by} creates, changes or drops ` +
      `${objects.map((o) => `"${o}"`).join(', ')}, not a table of this tenant. Name the tenant's tables ` +
      `"${SCHEMA_PLACEHOLDER}<table>" in migration SQL (the tenant's table prefix is substituted); it was rolled back.`,
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

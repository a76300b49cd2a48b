import type { QueryRunner } from 'typeorm';
import { SCHEMA_PLACEHOLDER, type ViewBinding } from '../connection/shared-pool-view';
import { TenancyError } from '../errors/tenancy.error';
import { assertTenantDatabaseOnly, type DirectQuery } from './mysql-database.guard';
import { SqliteTableGuard, type SqliteCatalogHandle } from './sqlite-table.guard';

/** Replaces `from` with `to` in SQL text; a no-op scan when absent. */
export function replacer(from: string, to: string): (sql: string) => string {
  return (sql) => (sql.includes(from) ? sql.replaceAll(from, to) : sql);
}

const OPENS = /^\s*(START|BEGIN)\b/i;
const ENDS = /^\s*(COMMIT|ROLLBACK)\s*;?\s*$/i;

/**
 * MySQL/MariaDB schema mode (a DATABASE per tenant): TypeORM's SQL names the placeholder
 * database and is rewritten. Raw SQL (any statement TypeORM did not generate, on any runner of
 * the view) first scopes the runner's connection once per checkout (`USE` of the tenant
 * database, shared by concurrent statements: issue 11, item 8) and passes the database guard. On
 * release an open transaction is rolled back and the connection goes back to the root database
 * (destroyed if that fails).
 */
export function mysqlSchemaBinding(database: string, rootDatabase: string): ViewBinding {
  const qualifier = `\`${database}\``;
  const rewrite = replacer(`\`${SCHEMA_PLACEHOLDER}\``, qualifier);
  const own = new WeakSet<QueryRunner>();
  const scoped = new WeakMap<QueryRunner, Promise<unknown>>();
  const opened = new WeakMap<QueryRunner, boolean>(); // by a transaction-control statement
  const scope = (runner: QueryRunner) => {
    let use = scoped.get(runner);
    if (!use) {
      use = direct(runner)(`USE \`${database}\``);
      scoped.set(runner, use);
      use.catch(() => scoped.delete(runner));
    }
    return use;
  };
  return {
    rewrite,
    wrapQuery: async (runner, run, sql, params, kind) => {
      if (kind === 'control') opened.set(runner, OPENS.test(sql) || (opened.get(runner) === true && !ENDS.test(sql)));
      // TypeORM SQL naming no tenant table (a query builder over a table name) is scoped like raw SQL.
      if (kind === 'control' || (kind === 'orm' && rewrite(sql).includes(qualifier))) return run(sql, params);
      await scope(runner);
      await assertTenantDatabaseOnly(rewrite(sql), database, direct(runner));
      return run(sql, params);
    },
    // stream() sends its SQL past query(): a raw stream is scoped and guarded like raw SQL.
    beforeStream: async (runner, sql) => {
      await scope(runner);
      await assertTenantDatabaseOnly(sql, database, direct(runner));
    },
    decorateRunner: (runner) => {
      own.add(runner);
      const release = runner.release.bind(runner);
      runner.release = async () => {
        const use = scoped.get(runner);
        scoped.delete(runner);
        if (use || runner.isTransactionActive || opened.get(runner)) await restore(runner, use, rootDatabase);
        return release();
      };
    },
    rawQuery: (runner, sql, params) => ownRunner(own, runner).query(sql, params),
  };
}

/** The runner's class method: the connection without the view's wrapping (the binding's own statements). */
function direct(runner: QueryRunner): DirectQuery {
  const query = (Object.getPrototypeOf(runner) as QueryRunner).query;
  return (sql, params) => query.call(runner, sql, params);
}

/**
 * Before the pool sees the connection again: any transaction left open rolled back (a manual
 * runner released without commit, a raw START TRANSACTION), then back to the root database if raw
 * SQL moved it. If that fails, the connection is destroyed instead.
 */
async function restore(runner: QueryRunner, use: Promise<unknown> | undefined, rootDatabase: string): Promise<void> {
  const send = direct(runner);
  try {
    await send('ROLLBACK');
    Object.assign(runner, { isTransactionActive: false });
    if (use) {
      await use;
      await send(`USE \`${rootDatabase}\``);
    }
  } catch {
    const connection = (await runner.connect().catch(() => undefined)) as { destroy?: () => void } | undefined;
    connection?.destroy?.(); // a destroyed mysql2 connection is not returned by release()
  }
}

/**
 * SQLite schema mode: an injective table prefix (`t_acme__orders`), rewritten in SQL text. Every
 * statement of the view's runners (ORM, raw `query()`, `manager.query` in a transaction, a
 * runner given to `query()`) passes the `SqliteTableGuard`: only the tenant's tables (issue 11,
 * items 9 and 10). A runner that is not the view's is refused for raw SQL.
 */
export function sqlitePrefixBinding(tablePrefix: string): ViewBinding {
  const rewrite = replacer(`"${SCHEMA_PLACEHOLDER}`, `"${tablePrefix}`);
  const guard = new SqliteTableGuard(tablePrefix);
  const own = new WeakSet<QueryRunner>();
  return {
    rewrite,
    check: (sql, _kind, handle) => guard.check(handle as unknown as SqliteCatalogHandle, sql),
    decorateRunner: (runner) => void own.add(runner),
    rawQuery: (runner, sql, params) => ownRunner(own, runner).query(sql, params),
  };
}

/** Raw SQL runs only on the view's own runners, which scope or refuse every statement. */
function ownRunner(own: WeakSet<QueryRunner>, runner: QueryRunner): QueryRunner {
  if (own.has(runner)) return runner;
  throw new TenancyError(
    "Raw SQL on a tenant DataSource was given a QueryRunner of another DataSource: use the tenant DataSource's " +
      '`createQueryRunner()` (or its transaction manager), whose statements are scoped to the tenant.',
  );
}

/**
 * SQL Server schema mode: TypeORM's SQL names the placeholder schema, rewritten to the tenant's.
 * SQL Server has no per-session search path, so unqualified raw SQL is refused (fail closed).
 */
export function mssqlSchemaBinding(schema: string): ViewBinding {
  const rewrite = replacer(`"${SCHEMA_PLACEHOLDER}"`, `"${schema}"`);
  return {
    rewrite,
    rawQuery: (runner, sql, params) => {
      if (!sql.includes(`"${SCHEMA_PLACEHOLDER}"`)) {
        throw new TenancyError(
          `Raw SQL on a SQL Server schema-mode tenant must qualify tables with "${SCHEMA_PLACEHOLDER}".`,
        );
      }
      return runner.query(rewrite(sql), params);
    },
  };
}

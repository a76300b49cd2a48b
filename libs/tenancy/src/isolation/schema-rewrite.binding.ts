import type { QueryRunner } from 'typeorm';
import { SCHEMA_PLACEHOLDER, type ViewBinding } from '../connection/shared-pool-view';
import { TenancyError } from '../errors/tenancy.error';
import { SqliteTableGuard, type SqliteCatalogHandle } from './sqlite-table.guard';

/** Replaces `from` with `to` in SQL text; a no-op scan when absent. */
export function replacer(from: string, to: string): (sql: string) => string {
  return (sql) => (sql.includes(from) ? sql.replaceAll(from, to) : sql);
}

/**
 * MySQL/MariaDB schema mode (a DATABASE per tenant): TypeORM's SQL names the placeholder
 * database and is rewritten; raw SQL runs after `USE` of the tenant database, then the
 * connection is switched back to the root database before it is released.
 */
export function mysqlSchemaBinding(database: string, rootDatabase: string): ViewBinding {
  const rewrite = replacer(`\`${SCHEMA_PLACEHOLDER}\``, `\`${database}\``);
  return {
    rewrite,
    rawQuery: async (runner: QueryRunner, sql: string, params?: unknown[]) => {
      await runner.query(`USE \`${database}\``);
      try {
        return await runner.query(sql, params);
      } finally {
        await runner.query(`USE \`${rootDatabase}\``);
      }
    },
  };
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

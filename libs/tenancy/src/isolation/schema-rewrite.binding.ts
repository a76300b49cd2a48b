import type { QueryRunner } from 'typeorm';
import { SCHEMA_PLACEHOLDER, type ViewBinding } from '../connection/shared-pool-view';
import { TenancyError } from '../errors/tenancy.error';

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

/** SQLite schema mode: an injective table prefix (`t_acme__orders`), rewritten in SQL text. */
export function sqlitePrefixBinding(tablePrefix: string): ViewBinding {
  const rewrite = replacer(`"${SCHEMA_PLACEHOLDER}`, `"${tablePrefix}`);
  return {
    rewrite,
    rawQuery: (runner, sql, params) => {
      if (!sql.includes(`"${SCHEMA_PLACEHOLDER}`)) {
        throw new TenancyError(
          `Raw SQL on a SQLite schema-mode tenant must name tables as "${SCHEMA_PLACEHOLDER}<table>" ` +
            '(the tenant prefix is substituted); unprefixed tables would reach shared data.',
        );
      }
      return runner.query(sql, params);
    },
  };
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

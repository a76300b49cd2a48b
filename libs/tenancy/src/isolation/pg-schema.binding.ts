import type { QueryRunner } from 'typeorm';
import type { ScopeMode } from '../config/tenancy-options.interface';
import { SCHEMA_PLACEHOLDER, type PgClient, type ViewBinding } from '../connection/shared-pool-view';
import {
  RESET_SEARCH_PATH,
  SET_SEARCH_PATH,
  SET_SEARCH_PATH_LOCAL,
  clientOf,
  withLocalSetting,
} from './pg-session-scope';

const QUOTED_PLACEHOLDER = `"${SCHEMA_PLACEHOLDER}"`;

/**
 * Schema-per-tenant on the shared pool. TypeORM's SQL names the placeholder schema and is
 * rewritten to the tenant's: zero extra statements. Raw `query()` SQL is unqualified, so it runs
 * with `search_path` set to the tenant schema only (the pool's default is empty, so a missing
 * table errors instead of reaching `public`), reset before the connection goes back.
 */
export function pgSchemaBinding(schema: string, scopeMode: ScopeMode): ViewBinding {
  const quoted = `"${schema}"`;
  const scoped = new WeakSet<PgClient>();
  const rewrite = (sql: string) =>
    sql.includes(QUOTED_PLACEHOLDER) ? sql.replaceAll(QUOTED_PLACEHOLDER, quoted) : sql;
  const rawQuery =
    scopeMode === 'transaction'
      ? (runner: QueryRunner, sql: string, params?: unknown[]) =>
          withLocalSetting(runner, [SET_SEARCH_PATH_LOCAL, [quoted]], () => runner.query(sql, params))
      : async (runner: QueryRunner, sql: string, params?: unknown[]) => {
          const client = await clientOf(runner);
          if (!scoped.has(client)) {
            await client.query(SET_SEARCH_PATH, [quoted]);
            scoped.add(client);
          }
          return runner.query(sql, params);
        };
  return {
    rewrite,
    rawQuery,
    // Synchronous when the connection was never scoped (every ORM query): it goes straight back.
    onRelease: (client) => {
      if (!scoped.has(client)) return;
      scoped.delete(client);
      return client.query(RESET_SEARCH_PATH).then(() => undefined);
    },
  };
}

/** Every checkout runs with `search_path` = `schema` only, reset on release (migrations, DDL). */
export function pgSearchPathBinding(schema: string): ViewBinding {
  const quoted = `"${schema}"`;
  return {
    onCheckout: async (client) => {
      await client.query(SET_SEARCH_PATH, [quoted]);
    },
    onRelease: async (client) => {
      await client.query(RESET_SEARCH_PATH);
    },
  };
}

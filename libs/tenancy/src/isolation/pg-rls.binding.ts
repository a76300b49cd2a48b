import type { QueryRunner } from 'typeorm';
import type { ScopeMode } from '../config/tenancy-options.interface';
import type { PgClient, StatementKind, ViewBinding } from '../connection/shared-pool-view';

const UNDOES = /\b(?:ROLLBACK|ABORT)\b/i;
import {
  RESET_TENANT,
  SESSION_RESET,
  SET_TENANT,
  SET_TENANT_LOCAL,
  clientOf,
  forgetTenant,
  rlsCheck,
  setTenant,
  withLocalSetting,
} from './pg-session-scope';

/**
 * Row-level security on the shared pool. Session mode: one plain statement per checkout (tenant and search_path)
 * when the connection does not carry this tenant already; every other checkout clears it. Transaction mode: every unit of work runs
 * in a transaction with the setting transaction-local (PgBouncer transaction pooling).
 */
export function pgRlsBinding(
  tenantId: string,
  scopeMode: ScopeMode,
  schemaPrefix: string,
  schema = 'public',
): ViewBinding {
  // Raw SQL is unqualified: it runs with search_path = the shared schema, set in the same statement.
  const searchPath = `"${schema}"`;
  const decorateRunner = deleteOnClear;
  const check = rlsCheck(tenantId, schema, schemaPrefix);
  const rescope = rescopeAfterRaw(tenantId, searchPath, scopeMode === 'transaction');
  if (scopeMode === 'transaction') {
    const setting = (client: PgClient) => setTenant(client, SET_TENANT_LOCAL, tenantId, searchPath);
    return {
      check,
      sessionReset: SESSION_RESET,
      decorateRunner,
      afterStatement: rescope.after,
      onRelease: rescope.forget,
      wrapQuery: (runner, run, sql, params, kind) =>
        runner.isTransactionActive
          ? run(sql, params)
          : outsideTypeOrmTransaction(runner, setting, () => run(sql, params), sql, kind),
      afterTransactionStart: async (runner: QueryRunner) => {
        await setting(await clientOf(runner));
      },
      // A stream outside a transaction gets one of its own, rolled back when its runner is released.
      beforeStream: async (runner: QueryRunner) => {
        if (runner.isTransactionActive) return;
        const client = await clientOf(runner);
        if (client.getTransactionStatus?.() !== 'T') await client.query('BEGIN');
        await setting(client);
      },
    };
  }
  return {
    sessionReset: SESSION_RESET,
    decorateRunner,
    check,
    onCheckout: (client) => setTenant(client, SET_TENANT, tenantId, searchPath),
    // Kept on the connection and skipped when it already carries this tenant (the check still
    // knows it); any other checkout from the pool clears it first (guardSharedPool).
    session: { key: `${tenantId}|${searchPath}`, clear: RESET_TENANT },
    // `cleaned`: the session reset after raw SQL reset both settings.
    afterStatement: rescope.after,
    onRelease: (client, cleaned) => {
      rescope.forget(client);
      if (cleaned) forgetTenant(client);
    },
  };
}

/**
 * `Repository.clear()` sends TRUNCATE, which row security does not scope (and the TRUNCATE guard
 * refuses): under RLS it deletes the current tenant's rows instead.
 */
function deleteOnClear(runner: QueryRunner): void {
  const driver = runner.connection.driver;
  runner.clearTable = async (tablePath: string) => {
    const target = tablePath
      .split('.')
      .map((part) => driver.escape(part))
      .join('.');
    await runner.query(`DELETE FROM ${target}`);
  };
}

/**
 * Raw SQL can switch the connection's tenant in ways no text check sees (a function, a computed
 * string run by EXECUTE): after each raw statement the tenant is set again, and after a rollback
 * on a connection that ran raw SQL (a savepoint may hold what the raw SQL set). Never after
 * TypeORM's SQL: the ORM path sends nothing extra. Transaction scope mode sets it
 * transaction-locally, inside a transaction only (each statement outside one gets its own); in a
 * failed transaction nothing can run, and the rollback re-scopes.
 */
function rescopeAfterRaw(tenantId: string, searchPath: string, local: boolean) {
  const ranRaw = new WeakSet<PgClient>();
  return {
    after: (client: PgClient, kind: StatementKind, sql: string): Promise<void> | undefined => {
      if (kind === 'raw') ranRaw.add(client);
      else if (!ranRaw.has(client) || !UNDOES.test(sql)) return undefined;
      const status = client.getTransactionStatus?.();
      if (status === 'E' || (local && status !== 'T')) return undefined;
      return setTenant(client, local ? SET_TENANT_LOCAL : SET_TENANT, tenantId, searchPath);
    },
    forget: (client: PgClient): void => {
      ranRaw.delete(client);
    },
  };
}

const OPENS_TRANSACTION = /^\s*(?:BEGIN|START\s+TRANSACTION)\b/i;

/**
 * Transaction scope mode, a statement outside a TypeORM transaction: in a transaction of its own
 * with the setting, unless the user opened one with raw SQL on this runner (`BEGIN` ...
 * `COMMIT`/`ROLLBACK`): that transaction is the user's, its statements run in it (the setting was
 * applied when it opened), and its control statements are sent as they are. Wrapping them once sent
 * a second BEGIN and committed what the user then rolled back (issue 11).
 */
async function outsideTypeOrmTransaction(
  runner: QueryRunner,
  setting: (client: PgClient) => Promise<void>,
  run: () => Promise<unknown>,
  sql: string,
  kind: StatementKind | undefined,
): Promise<unknown> {
  const client = await clientOf(runner);
  const status = client.getTransactionStatus?.();
  if (status === 'T' || status === 'E') return run();
  if (kind !== 'control') return withLocalSetting(runner, setting, run);
  const result = await run();
  if (OPENS_TRANSACTION.test(sql) && client.getTransactionStatus?.() === 'T') await setting(client);
  return result;
}

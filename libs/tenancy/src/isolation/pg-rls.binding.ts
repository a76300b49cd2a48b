import type { QueryRunner } from 'typeorm';
import type { ScopeMode } from '../config/tenancy-options.interface';
import type { PgClient, ViewBinding } from '../connection/shared-pool-view';
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
export function pgRlsBinding(tenantId: string, scopeMode: ScopeMode, schema = 'public'): ViewBinding {
  // Raw SQL is unqualified: it runs with search_path = the shared schema, set in the same statement.
  const searchPath = `"${schema}"`;
  const decorateRunner = deleteOnClear;
  const check = rlsCheck(tenantId);
  if (scopeMode === 'transaction') {
    const setting = (client: PgClient) => setTenant(client, SET_TENANT_LOCAL, tenantId, searchPath);
    return {
      check,
      sessionReset: SESSION_RESET,
      decorateRunner,
      wrapQuery: (runner, run, sql, params) =>
        runner.isTransactionActive ? run(sql, params) : withLocalSetting(runner, setting, () => run(sql, params)),
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
    onRelease: (client, cleaned) => {
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

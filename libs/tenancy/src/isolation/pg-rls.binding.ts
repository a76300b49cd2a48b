import type { QueryRunner } from 'typeorm';
import type { ScopeMode } from '../config/tenancy-options.interface';
import type { ViewBinding } from '../connection/shared-pool-view';
import { RESET_TENANT, SET_TENANT, SET_TENANT_LOCAL, withLocalSetting } from './pg-session-scope';

/**
 * Row-level security on the shared pool. Session mode: one plain `set_config` per checkout,
 * reset before the connection returns to the pool. Transaction mode: every unit of work runs
 * in a transaction with the setting transaction-local (PgBouncer transaction pooling).
 */
export function pgRlsBinding(tenantId: string, scopeMode: ScopeMode): ViewBinding {
  if (scopeMode === 'transaction') {
    const setting: [string, unknown[]] = [SET_TENANT_LOCAL, [tenantId]];
    return {
      wrapQuery: (runner, run, sql, params) =>
        runner.isTransactionActive ? run(sql, params) : withLocalSetting(runner, setting, () => run(sql, params)),
      afterTransactionStart: async (runner: QueryRunner) => {
        const client = (await runner.connect()) as { query(s: string, p: unknown[]): Promise<unknown> };
        await client.query(SET_TENANT_LOCAL, [tenantId]);
      },
    };
  }
  return {
    onCheckout: async (client) => {
      await client.query(SET_TENANT, [tenantId]);
    },
    onRelease: async (client) => {
      await client.query(RESET_TENANT);
    },
  };
}

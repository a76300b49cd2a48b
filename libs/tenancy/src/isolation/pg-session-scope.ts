import type { QueryRunner } from 'typeorm';
import type { PgClient } from '../connection/shared-pool-view';

/**
 * Scoping statements sent as plain driver calls, never through TypeORM (each TypeORM statement
 * costs ~50 µs of app CPU here; DESIGN.md "Performance budget").
 */
export const SET_TENANT = "SELECT set_config('app.current_tenant', $1, false), set_config('search_path', $2, false)";
export const SET_TENANT_LOCAL =
  "SELECT set_config('app.current_tenant', $1, true), set_config('search_path', $2, true)";
/** One round trip (simple protocol, no parameters). */
export const RESET_TENANT = 'RESET app.current_tenant; RESET search_path';
export const SET_SEARCH_PATH = "SELECT set_config('search_path', $1, false)";
export const SET_SEARCH_PATH_LOCAL = "SELECT set_config('search_path', $1, true)";
export const RESET_SEARCH_PATH = 'RESET search_path';

/** The pg client a runner holds (connecting it if needed). */
export function clientOf(runner: QueryRunner): Promise<PgClient> {
  return runner.connect() as Promise<PgClient>;
}

/**
 * Runs `work` inside a transaction on the runner's connection with `setting` applied with
 * transaction-local scope (`set_config(..., true)`): correct behind PgBouncer transaction pooling.
 * Inside an active transaction only the setting is sent.
 */
export async function withLocalSetting<T>(
  runner: QueryRunner,
  setting: [string, unknown[]],
  work: () => Promise<T>,
): Promise<T> {
  const client = await clientOf(runner);
  if (runner.isTransactionActive) {
    await client.query(setting[0], setting[1]);
    return work();
  }
  await client.query('BEGIN');
  try {
    await client.query(setting[0], setting[1]);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

import type { QueryRunner } from 'typeorm';
import type { PgClient, StatementKind } from '../connection/shared-pool-view';
import { TenantScopeViolationError } from '../errors/tenant-scope-violation.error';

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
  setting: [string, unknown[]] | ((client: PgClient) => Promise<void>),
  work: () => Promise<T>,
): Promise<T> {
  const client = await clientOf(runner);
  const apply = typeof setting === 'function' ? setting : (c: PgClient) => c.query(setting[0], setting[1]);
  if (runner.isTransactionActive) {
    await apply(client);
    return work();
  }
  await client.query('BEGIN');
  try {
    await apply(client);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Session state a tenant's raw SQL may leave (cursors, role, settings, advisory locks, temporary
 * tables, sequence caches, LISTEN), cleared in one round trip before the connection is reused.
 * Not DEALLOCATE ALL: node-postgres caches its own named prepared statements per connection.
 */
export const SESSION_RESET =
  'CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; SELECT pg_advisory_unlock_all(); ' +
  'DISCARD TEMP; DISCARD SEQUENCES; UNLISTEN *';

// A SET/RESET at a statement start (also inside DO bodies and EXECUTE strings) or set_config of
// what scopes a tenant. Defence in depth for direct forms; privileges stay the real boundary.
const SCOPE_CHANGE =
  /(?:^|[;'$]|\b(?:BEGIN|THEN|ELSE|LOOP))\s*(?:SET|RESET)\s+(?:SESSION\s+|LOCAL\s+)?(?:"?search_path\b|"?app\.current_tenant\b|ROLE\b|SESSION\s+AUTHORIZATION\b|SCHEMA\b|ALL\b)|\bset_config\s*\(\s*'(?:search_path|app\.current_tenant|role|session_authorization)'|\bDISCARD\s+ALL\b/i;

/** Refuses raw SQL that would change the connection's tenant scope (search_path, app.current_tenant, role). */
export function assertNoScopeChange(sql: string): void {
  if (SCOPE_CHANGE.test(sql)) {
    throw new TenantScopeViolationError(
      'Raw SQL through a tenant DataSource may not change search_path, app.current_tenant, the role or ' +
        'session authorization (nor RESET/DISCARD ALL): the library sets them per tenant. ' +
        'Qualify tables instead, or run such SQL on your own connection outside tenancy.',
    );
  }
}

/** The tenant the library last set as `app.current_tenant` on each connection (RLS scoping check). */
const tenantSetOn = new WeakMap<PgClient, string>();

/** Sends `SET_TENANT` or `SET_TENANT_LOCAL` and notes the tenant the connection now carries. */
export async function setTenant(client: PgClient, sql: string, tenantId: string, searchPath: string): Promise<void> {
  tenantSetOn.delete(client); // unknown until the statement succeeds
  await client.query(sql, [tenantId, searchPath]);
  tenantSetOn.set(client, tenantId);
}

/** Forgets what the library set on a connection (it was reset). */
export function forgetTenant(client: PgClient): void {
  tenantSetOn.delete(client);
}

/**
 * The RLS half of the scoping check: a statement (transaction control aside) leaves only on a
 * connection whose `app.current_tenant`, as last set by the library, is the view's tenant; raw
 * SQL may not change the scope.
 */
export function rlsCheck(tenantId: string): (sql: string, kind: StatementKind, client: PgClient) => void {
  return (sql, kind, client) => {
    if (kind === 'control') return;
    const carried = tenantSetOn.get(client);
    if (carried !== tenantId) {
      throw new TenantScopeViolationError(
        'Refused a statement through an RLS tenant DataSource: its connection carries ' +
          `${carried === undefined ? 'no tenant set by the library' : 'another tenant'}. ` +
          'Run queries through the tenant DataSource, its managers and its own query runners only.',
      );
    }
    if (kind === 'raw') assertNoScopeChange(sql);
  };
}

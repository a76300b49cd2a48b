import type { QueryRunner } from 'typeorm';
import type { PgClient, StatementKind } from '../connection/shared-pool-view';
import { TenantScopeViolationError } from '../errors/tenant-scope-violation.error';
import { readPgSql, type PgSqlNames } from './pg-sql-reader';

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
export function assertNoScopeChange(sql: string, read: PgSqlNames = readPgSql(sql)): void {
  if (SCOPE_CHANGE.test(sql) || read.scopeChange !== undefined) {
    throw new TenantScopeViolationError(
      'Raw SQL through a tenant DataSource may not change search_path, app.current_tenant, the role or ' +
        'session authorization (nor RESET/DISCARD ALL): the library sets them per tenant. ' +
        'Qualify tables instead, or run such SQL on your own connection outside tenancy.',
    );
  }
}

/** Schemas raw SQL may always name: the catalogs and the session's own temporary schema. */
const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_temp'];

/**
 * The raw-SQL part of both checks: no scope change, and no schema named where a relation (or a
 * function) is other than `own` ones and the system catalogs. Also in literals (SQL run by
 * functions such as `query_to_xml`), no tenant schema (`prefix…`, `public` with `publicToo`) after
 * FROM/JOIN/INTO/...; `refuse` words the error.
 */
export function rawScopeCheck(
  own: readonly string[],
  prefix: string,
  publicToo: boolean,
  refuse: (schema: string) => Error,
): (sql: string) => void {
  const allowed = new Set([...own, ...SYSTEM_SCHEMAS]);
  const inText = new RegExp(
    `\\b(?:FROM|JOIN|INTO|UPDATE|TABLE|ONLY|USING)\\s+("?)(${prefix}[a-z0-9_]*${publicToo ? '|public' : ''})\\1\\s*\\.`,
    'gi',
  );
  return (sql) => {
    const read = readPgSql(sql);
    assertNoScopeChange(sql, read);
    for (const name of read.schemas) if (!allowed.has(name)) throw refuse(name);
    for (const match of sql.matchAll(inText)) {
      const name = match[1] ? match[2] : match[2].toLowerCase();
      if (!allowed.has(name)) throw refuse(name);
    }
  };
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
export function rlsCheck(
  tenantId: string,
  sharedSchema: string,
  schemaPrefix: string,
): (sql: string, kind: StatementKind, client: PgClient) => void {
  // Hybrid: schema tenants' schemas share the database and the role; an RLS tenant names none.
  const raw = rawScopeCheck(
    [sharedSchema],
    schemaPrefix,
    false,
    (schema) =>
      new TenantScopeViolationError(
        `Refused a statement through an RLS tenant DataSource: it names the schema ${schema}. ` +
          `RLS tenants reach the shared tables (schema ${sharedSchema}) only: leave them unqualified.`,
      ),
  );
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
    if (kind === 'raw') raw(sql);
  };
}

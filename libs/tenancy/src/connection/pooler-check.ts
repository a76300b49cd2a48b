import type { DataSource } from 'typeorm';
import { optionLabel } from '../config/option-specs';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenancyConfigError } from '../errors/tenancy-config.error';

interface ProbeClient {
  connect(): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}
interface PgPoolInternals {
  Client: new (options: unknown) => ProbeClient;
  options: Record<string, unknown>;
}

const PROBE_SETTING = 'tenancy.pooler_probe';
const ROUNDS = 2;

/**
 * Whether connections to the server go through a transaction-pooling proxy (PgBouncer
 * `pool_mode = transaction`, RDS Proxy, ...), seen from two plain connections `a` and `b` made
 * like the root pool's: `a` leaves a session setting; `b` opens a transaction (pinning a server
 * connection); then `a` asks again. Direct connections keep one backend each, so `b` never shares
 * `a`'s backend pid nor sees its setting, and `a` keeps both. A transaction pooler hands `b` the
 * server connection `a` just released (PgBouncer reuses the most recent one), or moves `a`.
 * @returns what gave the pooler away, or `undefined` for a direct connection.
 */
export async function detectTransactionPooler(root: DataSource): Promise<string | undefined> {
  const pool = (root.driver as unknown as { master?: PgPoolInternals }).master;
  if (!pool?.Client) return undefined;
  const [a, b] = [new pool.Client(pool.options), new pool.Client(pool.options)];
  // A backend that dies mid-probe (failover, pg_terminate_backend) makes its client emit 'error':
  // with no listener that ends the process (57P01); the probe's own query fails instead.
  for (const client of [a, b]) client.on('error', () => undefined);
  try {
    await Promise.all([a.connect(), b.connect()]);
    for (let round = 0; round < ROUNDS; round++) {
      const token = `probe-${process.pid}-${Date.now()}-${round}`;
      const first = await pid(a, 'SELECT pg_backend_pid() AS pid, set_config($1, $2, false) AS v', [
        PROBE_SETTING,
        token,
      ]);
      await b.query('BEGIN');
      try {
        const other = await b.query('SELECT pg_backend_pid() AS pid, current_setting($1, true) AS v', [PROBE_SETTING]);
        const again = await a.query('SELECT pg_backend_pid() AS pid, current_setting($1, true) AS v', [PROBE_SETTING]);
        const [o, g] = [other.rows[0], again.rows[0]];
        if (o.pid === first || o.v === token) return "a second connection was served by the first one's backend";
        if (g.pid !== first) return 'one connection moved between backends between two statements';
        if (g.v !== token) return 'a session setting did not survive between two statements';
      } finally {
        await b.query('ROLLBACK');
      }
    }
    return undefined;
  } finally {
    await Promise.all([a.end().catch(() => undefined), b.end().catch(() => undefined)]);
  }
}

async function pid(client: ProbeClient, sql: string, params: unknown[]): Promise<unknown> {
  return (await client.query(sql, params)).rows[0].pid;
}

/**
 * Start-up check of the connection route (PostgreSQL): `scopeMode: 'session'` keeps tenant state
 * on server sessions, which a transaction pooler hands to other clients, so it is refused there
 * (shared-pool strategies); the settings the library sends as startup options (schema mode's empty
 * `search_path`, `statementTimeoutMs`) must be in effect, which they are not when a proxy drops
 * them (PgBouncer `ignore_startup_parameters = options`).
 */
export async function checkConnectionRoute(
  root: DataSource,
  options: ResolvedTenancyOptions,
  sharedPool: { schema: boolean; rls: boolean },
): Promise<void> {
  if (options.scopeMode === 'session' && (sharedPool.schema || sharedPool.rls)) {
    const evidence = await detectTransactionPooler(root);
    if (evidence) {
      throw new TenancyConfigError(
        `${optionLabel('scopeMode')} is session, but ${optionLabel('databaseUrl')} goes through a ` +
          `transaction-pooling proxy (${evidence}): tenant state kept on a server session would reach ` +
          "other clients. Set scopeMode: 'transaction' (TENANCY_SCOPE_MODE=transaction), or connect directly " +
          'or through a session-pooling proxy.',
      );
    }
  }
  const [row] = (await root.query(
    "SELECT current_setting('search_path') AS path, (SELECT setting FROM pg_settings WHERE name = 'statement_timeout') AS timeout",
  )) as Array<{ path: string; timeout: string }>;
  if (sharedPool.schema && row.path !== '' && row.path !== '""') {
    throw droppedStartupOption(
      `start with search_path = ${row.path}, not the empty search_path schema mode gives its pool (unqualified SQL would reach those schemas)`,
      "search_path = ''",
    );
  }
  if (options.statementTimeoutMs > 0 && row.timeout !== String(options.statementTimeoutMs)) {
    throw droppedStartupOption(
      `run with statement_timeout = ${row.timeout} ms, not ${optionLabel('statementTimeoutMs')} = ${options.statementTimeoutMs}`,
      `statement_timeout = ${options.statementTimeoutMs}`,
    );
  }
}

function droppedStartupOption(what: string, setting: string): TenancyConfigError {
  return new TenancyConfigError(
    `${optionLabel('databaseUrl')} connections ${what}. A proxy dropped the startup option that sets it ` +
      `(PgBouncer: ignore_startup_parameters = options): set it on the role, ALTER ROLE <role> IN DATABASE <database> SET ${setting}.`,
  );
}

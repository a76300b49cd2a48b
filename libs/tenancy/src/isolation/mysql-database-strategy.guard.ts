import type { DataSource, QueryRunner } from 'typeorm';
import { statementKind } from '../connection/view-binding';
import { TenancyError } from '../errors/tenancy.error';
import { assertTenantDatabaseOnly, type DirectQuery } from './mysql-database.guard';

const OPENS = /^\s*(START|BEGIN)\b/i;
const ENDS = /^\s*(COMMIT|ROLLBACK)\s*;?\s*$/i;

type Query = (sql: string, params?: unknown[], structured?: boolean) => Promise<unknown>;
type Stream = (sql: string, params?: unknown[], onEnd?: unknown, onError?: unknown) => Promise<unknown>;
interface MysqlDriverInternals {
  database?: string;
  createQueryRunner(mode: 'master' | 'slave'): QueryRunner;
}

/**
 * MySQL/MariaDB database strategy (a DataSource and pool per tenant database), issue 11: raw SQL
 * of the tenant's DataSource (`query()` on it, its managers and runners) passes the database
 * guard (`assertTenantDatabaseOnly`: no other database named, no `USE`, no dynamic SQL). On
 * release, a runner whose raw SQL ran, or that is still inside a transaction (a manual runner
 * released without commit, a raw `START TRANSACTION`, a failed statement), is rolled back; after
 * raw SQL the connection must still be in the tenant's database. Otherwise, or if either fails,
 * the connection is destroyed instead of going back to the pool. TypeORM's own SQL (entity tables,
 * unqualified) is not looked up: the ORM path pays nothing. A no-op for other drivers.
 */
export async function guardMysqlTenantDatabase(dataSource: DataSource): Promise<DataSource> {
  if (dataSource.options.type !== 'mysql' && dataSource.options.type !== 'mariadb') return dataSource;
  const driver = dataSource.driver as unknown as MysqlDriverInternals;
  const database = driver.database || (await currentDatabase(dataSource));
  if (!database) {
    throw new TenancyError(
      'A MySQL database-strategy tenant URL names no database: its raw SQL could not be held to the tenant ' +
        "database. Put the database in the tenant's databaseUrl (or in databaseUrlTemplate as {database_name}).",
    );
  }
  const create = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode) => guardRunner(create(mode), database);
  return dataSource;
}

async function currentDatabase(dataSource: DataSource): Promise<string | undefined> {
  const rows = (await dataSource.query('SELECT DATABASE() AS d')) as Array<{ d: string | null }>;
  return rows[0]?.d ?? undefined;
}

function guardRunner(runner: QueryRunner, database: string): QueryRunner {
  const send = direct(runner);
  const query = runner.query.bind(runner) as Query;
  const state = { raw: false, opened: false };
  (runner as { query: Query }).query = (sql, params, structured) => {
    const kind = statementKind(sql, structured);
    if (kind === 'raw') {
      state.raw = true;
      return assertTenantDatabaseOnly(sql, database, send, 'database').then(() => query(sql, params, structured));
    }
    // TypeORM's own SQL and transaction control go straight through: no promise added per statement.
    if (kind === 'control') state.opened = OPENS.test(sql) || (state.opened && !ENDS.test(sql));
    return query(sql, params, structured);
  };
  // stream() sends its SQL past query(): the same guard (a raw stream may name any table).
  const stream = runner.stream.bind(runner) as Stream;
  (runner as { stream: Stream }).stream = async (sql, params, onEnd, onError) => {
    state.raw = true;
    try {
      await assertTenantDatabaseOnly(sql, database, send, 'database');
    } catch (error) {
      // TypeORM releases a query builder stream's runner only from these callbacks.
      if (typeof onError === 'function') await (onError as (e: unknown) => unknown)(error);
      throw error;
    }
    return stream(sql, params, onEnd, onError);
  };
  const release = runner.release.bind(runner);
  runner.release = async () => {
    const { raw, opened } = state;
    state.raw = state.opened = false;
    if (!runner.isReleased && (raw || opened || runner.isTransactionActive)) await restore(runner, database, raw);
    return release();
  };
  return runner;
}

/** The runner's class method: the connection without the guard (its own statements). */
function direct(runner: QueryRunner): DirectQuery {
  const query = (Object.getPrototypeOf(runner) as QueryRunner).query;
  return (sql, params) => query.call(runner, sql, params);
}

/** Rolled back, and (after raw SQL) still in the tenant database; otherwise destroyed, never pooled. */
async function restore(runner: QueryRunner, database: string, raw: boolean): Promise<void> {
  const connection = (runner as unknown as { databaseConnection?: { destroy?: () => void } }).databaseConnection;
  if (!connection) return;
  const send = direct(runner);
  try {
    await send('ROLLBACK');
    Object.assign(runner, { isTransactionActive: false });
    if (!raw) return;
    const rows = (await send('SELECT DATABASE() AS d')) as Array<{ d: string | null }>;
    if (rows[0]?.d !== database) throw new Error('connection left the tenant database');
  } catch {
    connection.destroy?.(); // a destroyed mysql2 connection is not returned by release()
  }
}

import { createHash } from 'node:crypto';
import { MigrationExecutor, type DataSource, type Migration, type QueryRunner } from 'typeorm';
import { withDdlLockTimeout } from './ddl-lock-timeout';

/** How long a MySQL/MariaDB runner waits for another instance's migration of the same tenant. */
const MYSQL_LOCK_WAIT_SECONDS = 3600;

/**
 * @internal Runs `fn` with a migration executor whose every statement goes through ONE runner
 * that holds a per-tenant lock for the whole run: `pg_advisory_lock` on PostgreSQL, `GET_LOCK` on
 * MySQL/MariaDB (issue 12, issue 20 item 3). A second instance migrating the same tenant at once
 * waits, then finds the migrations applied: each runs exactly once. SQLite: see
 * `withSqliteMigrationLock`. SQL Server runs without it.
 */
export async function withMigrationLock<T>(
  dataSource: DataSource,
  name: string,
  fn: (executor: MigrationExecutor) => Promise<T>,
  { lockTimeoutMs = 0 }: { lockTimeoutMs?: number } = {},
): Promise<T> {
  const key = `tenancy:migrate:${name}`;
  if (dataSource.options.type === 'better-sqlite3') return withSqliteMigrationLock(dataSource, key, fn);
  const runner = dataSource.createQueryRunner();
  try {
    await lock(runner, dataSource.options.type, key);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      if (dataSource.options.type !== 'postgres') return await fn(executor);
      return await withDdlLockTimeout(runner, lockTimeoutMs, () => fn(executor));
    } finally {
      await unlock(runner, dataSource.options.type, key);
    }
  } finally {
    await runner.release();
  }
}

/** Pending migrations applied under the lock; their names. `lockTimeoutMs`: PostgreSQL's `lock_timeout` for them. */
export function runLocked(dataSource: DataSource, name: string, lockTimeoutMs = 0): Promise<string[]> {
  return withMigrationLock(
    dataSource,
    name,
    async (executor) => (await executor.executePendingMigrations()).map((m: Migration) => m.name),
    { lockTimeoutMs },
  );
}

async function lock(runner: QueryRunner, type: DataSource['options']['type'], key: string): Promise<void> {
  if (type === 'postgres') await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
  else if (type === 'mysql' || type === 'mariadb') {
    const [row] = (await runner.query('SELECT GET_LOCK(?, ?) AS got', [
      mysqlName(key),
      MYSQL_LOCK_WAIT_SECONDS,
    ])) as Array<{
      got: number | string | null;
    }>;
    if (Number(row?.got) !== 1) throw new Error(`could not take the migration lock of ${key} (GET_LOCK)`);
  }
}

async function unlock(runner: QueryRunner, type: DataSource['options']['type'], key: string): Promise<void> {
  if (type === 'postgres') await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
  else if (type === 'mysql' || type === 'mariadb') await runner.query('SELECT RELEASE_LOCK(?)', [mysqlName(key)]);
}

/** MySQL lock names are at most 64 characters. */
function mysqlName(key: string): string {
  return `tenancy_mig_${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

const sqliteRuns = new Map<string, Promise<unknown>>();

/**
 * SQLite (issue 20 item 3): runs of one tenant in this process wait for each other (a runner
 * blocked on the file lock would block the event loop, and with it the run holding the lock);
 * across processes the run is ONE `BEGIN IMMEDIATE` transaction, which takes the file's write
 * lock before the applied migrations are read, so another process waits (the driver's busy
 * timeout) then finds them applied. A failing run leaves nothing applied.
 */
async function withSqliteMigrationLock<T>(
  dataSource: DataSource,
  key: string,
  fn: (executor: MigrationExecutor) => Promise<T>,
): Promise<T> {
  const slot = `${String(dataSource.options.database)}\0${key}`;
  const before = sqliteRuns.get(slot) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(() => inImmediateTransaction(dataSource, fn));
  const settled = run.catch(() => undefined);
  sqliteRuns.set(slot, settled);
  void settled.then(() => {
    if (sqliteRuns.get(slot) === settled) sqliteRuns.delete(slot);
  });
  return run;
}

async function inImmediateTransaction<T>(
  dataSource: DataSource,
  fn: (executor: MigrationExecutor) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('BEGIN IMMEDIATE');
    Object.assign(runner, { isTransactionActive: true }); // the executor then opens no transaction of its own
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const result = await fn(executor);
      await runner.query('COMMIT');
      return result;
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      Object.assign(runner, { isTransactionActive: false });
    }
  } finally {
    await runner.release();
  }
}

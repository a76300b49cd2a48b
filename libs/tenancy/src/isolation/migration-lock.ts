import { createHash } from 'node:crypto';
import { MigrationExecutor, type DataSource, type Migration, type QueryRunner } from 'typeorm';

/** How long a MySQL/MariaDB runner waits for another instance's migration of the same tenant. */
const MYSQL_LOCK_WAIT_SECONDS = 3600;

/**
 * @internal Runs `fn` with a migration executor whose every statement goes through ONE runner
 * that holds a per-tenant lock for the whole run: `pg_advisory_lock` on PostgreSQL, `GET_LOCK` on
 * MySQL/MariaDB (issue 12, issue 20 item 3). A second instance migrating the same tenant at once
 * waits, then finds the migrations applied: each runs exactly once. SQLite (one connection per
 * process) and SQL Server run without it.
 */
export async function withMigrationLock<T>(
  dataSource: DataSource,
  name: string,
  fn: (executor: MigrationExecutor) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const key = `tenancy:migrate:${name}`;
  try {
    await lock(runner, dataSource.options.type, key);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      return await fn(executor);
    } finally {
      await unlock(runner, dataSource.options.type, key);
    }
  } finally {
    await runner.release();
  }
}

/** Pending migrations applied under the lock; their names. */
export function runLocked(dataSource: DataSource, name: string): Promise<string[]> {
  return withMigrationLock(dataSource, name, async (executor) =>
    (await executor.executePendingMigrations()).map((m: Migration) => m.name),
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

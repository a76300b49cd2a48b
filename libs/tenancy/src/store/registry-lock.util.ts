import type { QueryRunner } from 'typeorm';

/** Name of the MySQL/MariaDB lock (server-wide, at most 64 characters). */
const MYSQL_LOCK = 'nestjs-tenancy:tenants';
const MYSQL_LOCK_WAIT_SECONDS = 30;

/**
 * @internal How `TypeOrmTenantStore` serializes guarded writes across processes: PostgreSQL takes
 * a transaction-level advisory lock (two-int key space, per database, released by the commit);
 * MySQL/MariaDB a named session lock held until after the commit. Other drivers: none (the
 * store's in-process queue only).
 */
export function registryLock(type: string): {
  transaction?: string;
  session?: { acquire(runner: QueryRunner): Promise<void>; release(runner: QueryRunner): Promise<unknown> };
} {
  // 0x6e74656e ("nten") / 1: the tenants registry.
  if (type === 'postgres') return { transaction: 'SELECT pg_advisory_xact_lock(1853121902, 1)' };
  if (type !== 'mysql' && type !== 'mariadb') return {};
  return {
    session: {
      async acquire(runner) {
        const rows = (await runner.query('SELECT GET_LOCK(?, ?) AS got', [
          MYSQL_LOCK,
          MYSQL_LOCK_WAIT_SECONDS,
        ])) as Array<{
          got: number | string | null;
        }>;
        if (Number(rows[0]?.got) !== 1)
          throw new Error(`TypeOrmTenantStore: waited ${MYSQL_LOCK_WAIT_SECONDS} s for the tenants registry lock`);
      },
      release: (runner) => runner.query('SELECT RELEASE_LOCK(?)', [MYSQL_LOCK]),
    },
  };
}

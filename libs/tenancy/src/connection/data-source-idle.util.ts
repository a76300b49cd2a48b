import type { DataSource } from 'typeorm';

interface PoolCounts {
  totalCount?: number;
  idleCount?: number;
  waitingCount?: number;
}

/**
 * @internal True when nothing runs on `dataSource`: no TypeORM query runner holds a connection
 * and (pg) no connection is checked out or awaited. Drivers without these counters (mysql2,
 * SQLite, mssql) count as idle.
 */
export function isDataSourceIdle(dataSource: DataSource): boolean {
  const driver = dataSource.driver as unknown as { connectedQueryRunners?: unknown[]; master?: PoolCounts };
  if ((driver.connectedQueryRunners?.length ?? 0) > 0) return false;
  const pool = driver.master;
  if (!pool || typeof pool.totalCount !== 'number') return true;
  return (pool.waitingCount ?? 0) === 0 && pool.idleCount === pool.totalCount;
}

/**
 * @internal Resolves once `dataSource` is idle at two checks `pollMs` apart, or after
 * `maxWaitMs` whatever happens (a connection never given back must not pin the pool forever).
 * Twice, with a macrotask between: code that took the DataSource just before the first check
 * without a lease (its request's client went away) checks a connection out within the same run
 * of microtasks, so the second check sees it.
 */
export async function whenDataSourceIdle(dataSource: DataSource, pollMs = 25, maxWaitMs = 30_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  let idleChecks = 0;
  for (;;) {
    idleChecks = isDataSourceIdle(dataSource) ? idleChecks + 1 : 0;
    if (idleChecks >= 2 || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs).unref());
  }
}

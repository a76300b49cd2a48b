import type { INestApplication } from '@nestjs/common';
import { TenantConnectionManager } from 'nestjs-tenancy';

interface PgPoolLike {
  totalCount: number;
  idleCount: number;
  connect(): Promise<{ query(sql: string): Promise<{ rows: Array<Record<string, string>> }>; release(): void }>;
}

/** The shared pg pool behind the tenancy root DataSource. */
export function sharedPool(app: INestApplication): PgPoolLike {
  const manager = app.get(TenantConnectionManager) as unknown as {
    sources: { root: { driver: { master: PgPoolLike } } };
  };
  return manager.sources.root.driver.master;
}

/**
 * Checks out every idle connection of the pool at once and reads its search_path and
 * app.current_tenant: a scoped connection left in the pool would show here.
 */
export async function idleConnectionState(
  pool: PgPoolLike,
): Promise<{ total: number; idle: number; states: Array<Record<string, string>> }> {
  const total = pool.totalCount;
  const idle = pool.idleCount;
  const clients = await Promise.all(Array.from({ length: idle }, () => pool.connect()));
  try {
    const states = [];
    for (const c of clients) {
      const { rows } = await c.query(
        "select current_setting('search_path') as search_path, coalesce(current_setting('app.current_tenant', true), '') as tenant",
      );
      states.push(rows[0]);
    }
    return { total, idle, states };
  } finally {
    clients.forEach((c) => c.release());
  }
}

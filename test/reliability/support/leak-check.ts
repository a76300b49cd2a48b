import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { TenantConnectionManager } from 'nestjs-tenancy';
import { pgAdmin } from '../../support/harness';
import { idleConnectionState, sharedPool } from '../../support/pool-inspection';

type Pool = ReturnType<typeof sharedPool> & { waitingCount: number; ending?: boolean; ended?: boolean };

/** The database-per-tenant DataSources the manager has open now, by tenant id. */
export function cachedTenantDataSources(app: INestApplication): Map<string, DataSource> {
  const manager = app.get(TenantConnectionManager) as unknown as {
    databases: { entries: { entries(): IterableIterator<[string, { ready?: DataSource }]> } };
  };
  const out = new Map<string, DataSource>();
  for (const [id, entry] of manager.databases.entries.entries())
    if (entry.ready?.isInitialized) out.set(id, entry.ready);
  return out;
}

const poolOf = (ds: DataSource) => (ds.driver as unknown as { master: Pool }).master;

export interface LeakReport {
  /** Connections not given back, or given back still scoped, or left open by a closed DataSource. */
  leaked: number;
  details: string[];
  shared: { total: number; idle: number };
  tenantPools: number;
}

/**
 * Waits (up to `settleMs`) for the load's stragglers, then checks every pool:
 * - shared pool: idle == total, nobody waiting, every idle connection unscoped (empty
 *   `search_path`, no `app.current_tenant`);
 * - each cached tenant DataSource: idle == total, no tenant setting on its connections;
 * - the server: the app's role holds exactly the shared pool's connections, and each tenant
 *   database exactly its cached pool's (0 for closed ones).
 */
export async function checkForLeaks(
  app: INestApplication,
  sandbox: { adminUrl: string; name: string; role: string; databasePrefix: string },
  settleMs = 5_000,
): Promise<LeakReport> {
  const deadline = Date.now() + settleMs;
  let report = await inspect(app, sandbox);
  while (report.leaked > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    report = await inspect(app, sandbox);
  }
  return report;
}

async function inspect(
  app: INestApplication,
  sandbox: { adminUrl: string; name: string; role: string; databasePrefix: string },
): Promise<LeakReport> {
  const details: string[] = [];
  let leaked = 0;
  const add = (n: number, line: string) => {
    leaked += Math.abs(n);
    details.push(line);
  };
  const pool = sharedPool(app) as Pool;
  const busy = (p: Pool) => p.totalCount - p.idleCount;
  if (busy(pool) || pool.waitingCount)
    add(busy(pool) + pool.waitingCount, `shared pool: ${busy(pool)} busy, ${pool.waitingCount} waiting`);
  const state = await idleConnectionState(pool);
  const scoped = state.states.filter((s) => s.tenant !== '' || (s.search_path !== '' && s.search_path !== '""'));
  for (const s of scoped) add(1, `shared pool: idle connection still scoped ${JSON.stringify(s)}`);

  const sources = cachedTenantDataSources(app);
  const expected = new Map<string, number>();
  for (const ds of sources.values()) {
    const p = poolOf(ds);
    const database = String(
      (ds.driver as unknown as { database?: string }).database ??
        new URL(String((ds.options as { url?: string }).url)).pathname.slice(1),
    );
    expected.set(database, p.totalCount);
    if (busy(p) || p.waitingCount)
      add(busy(p) + p.waitingCount, `${database}: ${busy(p)} busy, ${p.waitingCount} waiting`);
    const s = await idleConnectionState(p);
    for (const c of s.states.filter((x) => x.tenant !== ''))
      add(1, `${database}: idle connection carries a tenant ${JSON.stringify(c)}`);
  }

  const rows = await pgAdmin(
    sandbox.adminUrl,
    `SELECT datname, usename, count(*)::int AS n FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND (usename = '${sandbox.role}' OR starts_with(datname, '${sandbox.databasePrefix}'))
      GROUP BY 1, 2`,
  );
  const roleBackends = rows.filter((r) => r.usename === sandbox.role).reduce((n, r) => n + Number(r.n), 0);
  if (roleBackends !== pool.totalCount)
    add(
      roleBackends - pool.totalCount,
      `server: role holds ${roleBackends} backends, shared pool has ${pool.totalCount}`,
    );
  for (const r of rows.filter((x) => String(x.datname).startsWith(sandbox.databasePrefix))) {
    const want = expected.get(String(r.datname)) ?? 0;
    if (Number(r.n) !== want)
      add(Number(r.n) - want, `server: ${String(r.datname)} has ${Number(r.n)} backends, its cached pool ${want}`);
  }
  return { leaked, details, shared: { total: state.total, idle: state.idle }, tenantPools: sources.size };
}

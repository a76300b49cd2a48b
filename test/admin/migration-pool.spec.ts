import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import { TENANCY_DATA_SOURCES } from '../../libs/tenancy/src/tenancy.constants';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import { bootAdmin } from './support/admin-app';
import { CreateWidgets1700000000001 } from './support/migrations';

const GATE = 20_004;

/** Waits on an advisory lock the test holds: the migration stays blocked until the test lets go. */
class WaitsForGate1700000000401 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`SELECT pg_advisory_xact_lock(${GATE})`);
  }
  async down(): Promise<void> {}
}

const TENANTS = ['mp-a', 'mp-b', 'mp-c', 'mp-d', 'mp-e', 'mp-f'];

/** Backends of `database` waiting for the gate. */
async function blockedOnGate(url: string, database: string): Promise<number> {
  const rows = await pgAdmin(
    url,
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${database}' AND wait_event = 'advisory' AND query LIKE '%${GATE}%'`,
  );
  return Number(rows[0].n);
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 50));
}

/** Issue 20 item 4: migrations run on connections of their own; requests keep the request pool. */
describeWith('postgres', 'migrations beside live traffic (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const options = () => ({
    databaseUrl: db.url,
    isolationStrategy: 'schema' as const,
    schemaPrefix: 'mp_',
    poolSize: 2,
  });

  it('with poolSize 2 and concurrency 6, a request is served while every migration is blocked', async () => {
    const setup = await bootAdmin({ ...options(), migrations: [CreateWidgets1700000000001] });
    for (const identifier of TENANTS) await setup.admin.register({ identifier, name: identifier });
    await setup.close();

    const app = await bootAdmin({ ...options(), migrations: [CreateWidgets1700000000001, WaitsForGate1700000000401] });
    const root = app.ref.get<TenancyDataSources>(TENANCY_DATA_SOURCES).root;
    // Bounds the wait of a request that finds the pool taken (it would otherwise wait forever).
    (
      root.driver as unknown as { master: { options: Record<string, unknown> } }
    ).master.options.connectionTimeoutMillis = 5000;
    const gate = new Client({ connectionString: db.url });
    await gate.connect();
    await gate.query(`SELECT pg_advisory_lock(${GATE})`);

    const run = app.admin.migrate({ concurrency: 6 });
    try {
      await until(async () => (await blockedOnGate(db.url, db.name)) >= 2);
      // The request pool (tenant views borrow it) still serves.
      await expect(root.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
      // All six migrate at once, on their own connections.
      await until(async () => (await blockedOnGate(db.url, db.name)) === 6);
      await expect(root.query('SELECT 2 AS two')).resolves.toEqual([{ two: 2 }]);
    } finally {
      await gate.end(); // lets the migrations go
    }
    const report = await run;
    await app.close();
    expect(report.failed).toBe(0);
    expect(report.results.map((r) => [r.tenant, r.applied])).toEqual(
      TENANTS.map((t) => [t, ['WaitsForGate1700000000401']]),
    );
  }, 60_000);
});

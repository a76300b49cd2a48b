import type { MigrationProgress, TenancyModuleOptions } from 'nestjs-tenancy';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import { bootAdmin, physical, useTenantPlacement, type AdminApp } from './support/admin-app';
import { AddColor1700000000003, CreateWidgets1700000000001 } from './support/migrations';

const TENANTS = Array.from({ length: 50 }, (_, i) => `mig-${String(i).padStart(2, '0')}`);
const BAD = 'mig-17';
const ADD_COLOR = 'AddColor1700000000003';
const CREATE_WIDGETS = 'CreateWidgets1700000000001';

/** Schemas (and databases' `public`) whose `widgets` table has the `color` column. */
async function schemasWithColor(url: string): Promise<string[]> {
  const rows = await pgAdmin(
    url,
    "SELECT table_schema FROM information_schema.columns WHERE table_name = 'widgets' AND column_name = 'color' ORDER BY 1",
  );
  return rows.map((r) => String(r.table_schema));
}

async function inPool<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describeWith('postgres', 'per-tenant migrations (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const placement = useTenantPlacement(db, 'mg');
  const { dbPrefix } = placement;
  const options = (extra: Partial<TenancyModuleOptions>): TenancyModuleOptions => ({
    ...placement.options(),
    poolSize: 6,
    ...extra,
  });

  describe('50 schema tenants, one failing', () => {
    let app: AdminApp;
    beforeAll(async () => {
      const first = await bootAdmin(options({ isolationStrategy: 'schema', migrations: [CreateWidgets1700000000001] }));
      await inPool(TENANTS, 5, (identifier) => first.admin.register({ identifier, name: identifier }));
      await first.close();
      // A release adds a migration: the next app start knows both.
      app = await bootAdmin(
        options({ isolationStrategy: 'schema', migrations: [CreateWidgets1700000000001, AddColor1700000000003] }),
      );
      AddColor1700000000003.failIn = physical('mg_', BAD);
    }, 120_000);
    afterAll(() => app?.close());

    it('status shows the new migration pending everywhere', async () => {
      const status = await app.admin.migrationStatus();
      expect(status).toHaveLength(50);
      for (const s of status) expect(s).toMatchObject({ applied: [CREATE_WIDGETS], pending: [ADD_COLOR] });
    });

    it('migrate: 49 migrated, 1 reported, with bounded concurrency and progress per tenant', async () => {
      const progress: MigrationProgress[] = [];
      AddColor1700000000003.peak = 0;
      const report = await app.admin.migrate({ concurrency: 4, onProgress: (p) => progress.push(p) });

      expect(report.failed).toBe(1);
      expect(report.results.map((r) => r.tenant).sort()).toEqual(TENANTS);
      const failed = report.results.filter((r) => r.status === 'failed');
      expect(failed).toEqual([
        {
          tenant: BAD,
          status: 'failed',
          applied: [],
          failedMigration: ADD_COLOR,
          durationMs: expect.any(Number),
          error: expect.stringMatching(
            /AddColor1700000000003 failed: AddColor refuses mg_mig_17; nothing was committed/,
          ),
        },
      ]);
      const migrated = report.results.filter((r) => r.status === 'migrated');
      expect(migrated).toHaveLength(49);
      for (const r of migrated) expect(r.applied).toEqual([ADD_COLOR]);

      expect(AddColor1700000000003.peak).toBeLessThanOrEqual(4);
      expect(AddColor1700000000003.peak).toBeGreaterThan(1);
      expect(progress.map((p) => p.done)).toEqual(TENANTS.map((_, i) => i + 1));
      expect(progress.every((p) => p.total === 50)).toBe(true);
    });

    it('raw SQL in migrations landed in each tenant schema, never in public; the failed tenant was rolled back', async () => {
      const expected = TENANTS.filter((t) => t !== BAD)
        .map((t) => physical('mg_', t))
        .sort();
      expect(await schemasWithColor(db.url)).toEqual(expected);
      const publicWidgets = await pgAdmin(
        db.url,
        "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'widgets'",
      );
      expect(publicWidgets).toEqual([]);
      const badTables = await pgAdmin(
        db.url,
        `SELECT tablename FROM pg_tables WHERE schemaname = '${physical('mg_', BAD)}' ORDER BY 1`,
      );
      expect(badTables.map((r) => r.tablename)).toEqual(['tenancy_migrations', 'widgets']);
    });

    it('a second run applies nothing new, and the fixed tenant migrates when named', async () => {
      const again = await app.admin.migrate();
      expect(again.failed).toBe(1);
      expect(again.results.filter((r) => r.status === 'migrated').every((r) => r.applied.length === 0)).toBe(true);
      AddColor1700000000003.failIn = '';
      const fixed = await app.admin.migrate({ tenants: [BAD] });
      expect(fixed).toEqual({
        failed: 0,
        results: [expect.objectContaining({ tenant: BAD, status: 'migrated', applied: [ADD_COLOR] })],
      });
    });

    it('an unknown tenant name is reported as failed, not dropped', async () => {
      const report = await app.admin.migrate({ tenants: ['nobody-at-all', 'mig-01'] });
      expect(report.failed).toBe(1);
      expect(report.results).toEqual([
        expect.objectContaining({
          tenant: 'nobody-at-all',
          status: 'failed',
          error: expect.stringMatching(/not found/),
        }),
        expect.objectContaining({ tenant: 'mig-01', status: 'migrated', applied: [] }),
      ]);
    });

    it('suspended tenants are migrated too; deleted ones are left out unless named (then skipped)', async () => {
      await app.admin.suspend('mig-02');
      await app.admin.delete('mig-03');
      const all = await app.admin.migrate({ concurrency: 8 });
      expect(all.results.map((r) => r.tenant)).toContain('mig-02');
      expect(all.results.map((r) => r.tenant)).not.toContain('mig-03');
      const named = await app.admin.migrate({ tenants: ['mig-03'] });
      expect(named.results).toEqual([
        expect.objectContaining({ tenant: 'mig-03', status: 'skipped', error: 'tenant is deleted' }),
      ]);
      await app.admin.activate('mig-02');
      await app.admin.activate('mig-03');
    });

    it('revert undoes the last migration in every tenant; status shows it pending again', async () => {
      const report = await app.admin.revertMigration({ concurrency: 6 });
      expect(report.failed).toBe(0);
      expect(report.results).toHaveLength(50);
      for (const r of report.results) expect(r).toMatchObject({ status: 'reverted', applied: [ADD_COLOR] });
      expect(await schemasWithColor(db.url)).toEqual([]);
      const status = await app.admin.migrationStatus({ tenants: ['mig-00', 'mig-49'] });
      expect(status.map((s) => [s.tenant, s.applied, s.pending])).toEqual([
        ['mig-00', [CREATE_WIDGETS], [ADD_COLOR]],
        ['mig-49', [CREATE_WIDGETS], [ADD_COLOR]],
      ]);
    });

    it('refuses a concurrency that is not a whole number of at least 1', async () => {
      await expect(app.admin.migrate({ concurrency: 0 })).rejects.toThrow(/concurrency/);
    });
  });

  describe('database tenants', () => {
    it('migrate, status and revert run in each tenant database', async () => {
      const first = await bootAdmin(
        options({ isolationStrategy: 'database', migrations: [CreateWidgets1700000000001] }),
      );
      await first.admin.register({ identifier: 'dbm-a', name: 'A' });
      await first.admin.register({ identifier: 'dbm-b', name: 'B' });
      await first.close();
      const app = await bootAdmin(
        options({ isolationStrategy: 'database', migrations: [CreateWidgets1700000000001, AddColor1700000000003] }),
      );
      try {
        AddColor1700000000003.failIn = '';
        const report = await app.admin.migrate({ tenants: ['dbm-a', 'dbm-b'] });
        expect(report).toEqual({
          failed: 0,
          results: [
            expect.objectContaining({ tenant: 'dbm-a', status: 'migrated', applied: [ADD_COLOR] }),
            expect.objectContaining({ tenant: 'dbm-b', status: 'migrated', applied: [ADD_COLOR] }),
          ],
        });
        for (const id of ['dbm-a', 'dbm-b'])
          expect(await schemasWithColor(db.url.replace(db.name, physical(dbPrefix(), id)))).toEqual(['public']);
        expect((await app.admin.migrationStatus({ tenants: ['dbm-a', 'dbm-b'] })).map((s) => s.pending)).toEqual([
          [],
          [],
        ]);
        expect((await app.admin.revertMigration({ tenants: ['dbm-b'] })).results[0]).toMatchObject({
          status: 'reverted',
          applied: [ADD_COLOR],
        });
        expect(await schemasWithColor(db.url.replace(db.name, physical(dbPrefix(), 'dbm-b')))).toEqual([]);
      } finally {
        await app.close();
      }
    });
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TenancyModuleOptions } from 'nestjs-tenancy';
import { bootAdmin, type AdminApp } from './support/admin-app';
import {
  CreateAuditUnqualified1710000000003,
  CreateForeignTable1710000000005,
  CreateNotes1710000000001,
  SeedNote1710000000002,
  SlowSeedNote1710000000006,
  WriteSharedAudit1710000000004,
} from './support/sqlite-migrations';

const CREATE = 'CreateNotes1710000000001';
const SEED = 'SeedNote1710000000002';

/** Reads the shared SQLite file directly, past the library. */
function inFile<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const tables = (file: string): string[] =>
  inFile(
    file,
    (db) =>
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .pluck()
        .all() as string[],
  );
const notes = (file: string, table: string): string[] =>
  inFile(file, (db) => db.prepare(`SELECT body FROM "${table}" ORDER BY id`).pluck().all() as string[]);

/** Issue 20, items 1 and 2: SQLite schema mode (one file, a table prefix per tenant). */
describe('SQLite schema mode: per-tenant migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-sqlite-mig-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options = (file: string, migrations: Array<new () => unknown>): TenancyModuleOptions => ({
    databaseUrl: `sqlite:${join(dir, file)}`,
    isolationStrategy: 'schema',
    cacheEnabled: false,
    migrations: migrations as never,
  });

  describe('each tenant has its own migration history (item 1)', () => {
    const file = join(dir, 'history.sqlite');
    let app: AdminApp;
    beforeAll(async () => {
      app = await bootAdmin(options('history.sqlite', [CreateNotes1710000000001, SeedNote1710000000002]));
      await app.admin.register({ identifier: 'alpha', name: 'Alpha' });
      await app.admin.register({ identifier: 'beta', name: 'Beta' });
    });
    afterAll(() => app?.close());

    it('every tenant gets its tables and its own history, the data migration applied once in each', async () => {
      expect(tables(file)).toEqual([
        't_alpha__notes',
        't_alpha__tenancy_migrations',
        't_beta__notes',
        't_beta__tenancy_migrations',
        'tenants',
      ]);
      expect(notes(file, 't_alpha__notes')).toEqual(['hello']);
      expect(notes(file, 't_beta__notes')).toEqual(['hello']);
      const status = await app.admin.migrationStatus();
      expect(status.map((s) => [s.tenant, s.applied, s.pending])).toEqual([
        ['alpha', [CREATE, SEED], []],
        ['beta', [CREATE, SEED], []],
      ]);
    });

    it("revert acts on one tenant's history only", async () => {
      const report = await app.admin.revertMigration({ tenants: ['alpha'] });
      expect(report.results).toEqual([
        expect.objectContaining({ tenant: 'alpha', status: 'reverted', applied: [SEED] }),
      ]);
      expect(notes(file, 't_alpha__notes')).toEqual([]);
      expect(notes(file, 't_beta__notes')).toEqual(['hello']);
      const status = await app.admin.migrationStatus();
      expect(status.map((s) => [s.tenant, s.applied, s.pending])).toEqual([
        ['alpha', [CREATE], [SEED]],
        ['beta', [CREATE, SEED], []],
      ]);
      const again = await app.admin.migrate();
      expect(again.results.map((r) => [r.tenant, r.applied])).toEqual([
        ['alpha', [SEED]],
        ['beta', []],
      ]);
    });

    it("a hard delete drops the tenant's tables and history, and leaves the others' alone", async () => {
      const alpha = await app.store.getByIdentifier('alpha');
      await app.admin.delete(alpha.id, { hard: true });
      expect(tables(file)).toEqual(['t_beta__notes', 't_beta__tenancy_migrations', 'tenants']);
      expect((await app.admin.migrationStatus()).map((s) => [s.tenant, s.applied])).toEqual([['beta', [CREATE, SEED]]]);
    });
  });

  it('two instances migrating one tenant at once apply a data migration once (item 3)', async () => {
    const file = join(dir, 'lock.sqlite');
    const setup = await bootAdmin(options('lock.sqlite', [CreateNotes1710000000001]));
    await setup.admin.register({ identifier: 'zeta', name: 'Zeta' });
    await setup.close();
    const all = options('lock.sqlite', [CreateNotes1710000000001, SlowSeedNote1710000000006]);
    const apps = [await bootAdmin(all), await bootAdmin(all)];
    try {
      const reports = await Promise.all(apps.map((a) => a.admin.migrate({ tenants: ['zeta'] })));
      expect(reports.map((r) => r.failed)).toEqual([0, 0]);
      expect(reports.flatMap((r) => r.results.map((x) => x.applied)).sort()).toEqual([
        [],
        ['SlowSeedNote1710000000006'],
      ]);
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
    expect(notes(file, 't_zeta__notes')).toEqual(['slow']);
  });

  describe('raw SQL in migrations: the placeholder is prefixed, anything else refused (item 2)', () => {
    it('a table created unqualified is refused, naming the statement, and rolled back', async () => {
      const file = join(dir, 'create.sqlite');
      const app = await bootAdmin(options('create.sqlite', [CreateAuditUnqualified1710000000003]));
      try {
        await expect(app.admin.register({ identifier: 'gamma', name: 'Gamma' })).rejects.toThrow(
          /refused.*CREATE TABLE audit.*"audit", not a table of this tenant/s,
        );
      } finally {
        await app.close();
      }
      expect(tables(file)).toEqual(['tenants']);
    });

    it('a write to a shared unprefixed table is refused before it runs', async () => {
      const file = join(dir, 'write.sqlite');
      const db = new Database(file);
      db.exec('CREATE TABLE audit (id integer PRIMARY KEY, what text)');
      db.close();
      const app = await bootAdmin(options('write.sqlite', [WriteSharedAudit1710000000004]));
      try {
        await expect(app.admin.register({ identifier: 'delta', name: 'Delta' })).rejects.toThrow(
          /refused.*"audit" is not a table of this tenant.*Statement: INSERT INTO audit/s,
        );
      } finally {
        await app.close();
      }
      expect(inFile(file, (d) => d.prepare('SELECT count(*) FROM audit').pluck().get())).toBe(0);
      expect(tables(file)).toEqual(['audit', 'tenants']);
    });

    it("another tenant's table made through TypeORM's Table API is refused and the whole migration undone", async () => {
      const file = join(dir, 'api.sqlite');
      const app = await bootAdmin(options('api.sqlite', [CreateForeignTable1710000000005]));
      try {
        await expect(app.admin.register({ identifier: 'eps', name: 'Eps' })).rejects.toThrow(
          /CreateForeignTable1710000000005.*"t_other__stolen", not a table of this tenant/s,
        );
      } finally {
        await app.close();
      }
      expect(tables(file)).toEqual(['tenants']);
    });
  });
});

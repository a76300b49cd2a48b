import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TenancyConfigError, type TenancyModuleOptions } from 'nestjs-tenancy';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantsSyncCommand } from '../../libs/tenancy/src/cli/tenants-sync.command';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import { bootAdmin } from './support/admin-app';
import { bootCli } from './support/cli-app';
import { CreateWidgets1700000000001 } from './support/migrations';

@Entity('notes')
class NoteV1 {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
}

/** The next release of the same entity: it gained a column. */
@Entity('notes')
class NoteV2 {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
  @Column({ type: 'varchar', nullable: true }) color!: string | null;
}

/**
 * Issue 12 item 9: with synchronize as the chosen mode (no migrations), `synchronize()` and
 * `tenants:sync` bring existing tenants up to the entities; refused when migrations are configured,
 * and a change that would drop a column is refused, not applied.
 */
describeWith('postgres', 'synchronize existing tenants to the entities (PostgreSQL schema tenants)', () => {
  const db = usePostgresDatabase();
  const options = (entity: Function, extra: Partial<TenancyModuleOptions> = {}): TenancyModuleOptions => ({
    databaseUrl: db.url,
    isolationStrategy: 'schema',
    schemaPrefix: 'sy_',
    entities: [entity],
    poolSize: 3,
    cacheEnabled: false,
    ...extra,
  });
  const colorIn = async () =>
    (
      await pgAdmin(
        db.url,
        "SELECT table_schema FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'color' ORDER BY 1",
      )
    ).map((r) => r.table_schema);

  beforeAll(async () => {
    const app = await bootAdmin(options(NoteV1));
    try {
      for (const id of ['sync-a', 'sync-b']) await app.admin.register({ identifier: id, name: id });
    } finally {
      await app.close();
    }
    await pgAdmin(db.url, "INSERT INTO sy_sync_a.notes (body) VALUES ('kept')");
  }, 60_000);

  it('synchronize() adds the new column in every tenant and keeps the rows', async () => {
    const app = await bootAdmin(options(NoteV2));
    try {
      expect(await colorIn()).toEqual([]);
      const report = await app.admin.synchronize();
      expect(report).toEqual({
        failed: 0,
        results: [
          expect.objectContaining({ tenant: 'sync-a', status: 'synchronized' }),
          expect.objectContaining({ tenant: 'sync-b', status: 'synchronized' }),
        ],
      });
      expect(await colorIn()).toEqual(['sy_sync_a', 'sy_sync_b']);
      expect(await pgAdmin(db.url, 'SELECT body, color FROM sy_sync_a.notes')).toEqual([{ body: 'kept', color: null }]);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('a change that would drop a column is refused per tenant, naming it; nothing is dropped', async () => {
    const app = await bootAdmin(options(NoteV1));
    try {
      const report = await app.admin.synchronize({ tenants: ['sync-b'] });
      expect(report.failed).toBe(1);
      expect(report.results[0]).toMatchObject({
        tenant: 'sync-b',
        status: 'failed',
        error: expect.stringMatching(
          /would drop data: ALTER TABLE "sy_sync_b"."notes" DROP COLUMN "color"\. Nothing was changed/,
        ),
      });
      expect(await colorIn()).toEqual(['sy_sync_a', 'sy_sync_b']);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('is refused when migrations are configured, naming the option', async () => {
    const app = await bootAdmin(options(NoteV2, { migrations: [CreateWidgets1700000000001] }));
    try {
      const refused = app.admin.synchronize();
      await expect(refused).rejects.toThrow(TenancyConfigError);
      await expect(refused).rejects.toThrow(/TENANCY_MIGRATIONS \(option migrations\).*migrate:run/);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('tenants:sync (CLI) reports each tenant and a summary; exit code 1 when refused', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const boot = async (extra: Partial<TenancyModuleOptions>) =>
      (await bootCli(options(NoteV2, extra), { out, err })).ref;
    const ref = await boot({});
    try {
      await ref.get(TenantsSyncCommand).run([], {});
      expect(out.splice(0)).toEqual([
        expect.stringMatching(/^ok\s+sync-a: synchronized \(\d+ ms\)/),
        expect.stringMatching(/^ok\s+sync-b: synchronized \(\d+ ms\)/),
        '2 synchronized, 0 failed, 0 skipped (2 tenants)',
      ]);
      expect(process.exitCode).toBeUndefined();
    } finally {
      await ref.close();
    }
    const withMigrations = await boot({ migrations: [CreateWidgets1700000000001] });
    try {
      await withMigrations.get(TenantsSyncCommand).run([], {});
      expect(err).toEqual([expect.stringMatching(/^Error: .*TENANCY_MIGRATIONS \(option migrations\)/)]);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = undefined;
      await withMigrations.close();
    }
  }, 90_000);
});

describe('synchronize existing tenants to the entities (SQLite: table prefix per tenant, one file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-sync-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sync.sqlite');
  const options = (entity: Function): TenancyModuleOptions => ({
    databaseUrl: `sqlite:${file}`,
    isolationStrategy: 'schema',
    entities: [entity],
    cacheEnabled: false,
  });
  const columns = (table: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>).map((c) => c.name);
    } finally {
      db.close();
    }
  };

  it('adds the new column in every tenant, keeps the rows, and refuses a change that would drop one', async () => {
    const first = await bootAdmin(options(NoteV1));
    try {
      await first.admin.register({ identifier: 'lite-a', name: 'A' });
      await first.admin.register({ identifier: 'lite-b', name: 'B' });
    } finally {
      await first.close();
    }
    const db = new Database(file);
    db.prepare("INSERT INTO t_lite_a__notes (body) VALUES ('kept')").run();
    db.close();

    const next = await bootAdmin(options(NoteV2));
    try {
      const report = await next.admin.synchronize();
      expect(report.results.map((r) => [r.tenant, r.status])).toEqual([
        ['lite-a', 'synchronized'],
        ['lite-b', 'synchronized'],
      ]);
      expect(columns('t_lite_a__notes')).toEqual(['id', 'body', 'color']);
      expect(columns('t_lite_b__notes')).toEqual(['id', 'body', 'color']);
    } finally {
      await next.close();
    }
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare('SELECT body FROM t_lite_a__notes').pluck().all()).toEqual(['kept']);
    reader.close();

    const back = await bootAdmin(options(NoteV1));
    try {
      const report = await back.admin.synchronize({ tenants: ['lite-a'] });
      expect(report.results[0]).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/would drop data: column "color" of "t_lite_a__notes"\. Nothing was changed/),
      });
      expect(columns('t_lite_a__notes')).toEqual(['id', 'body', 'color']);
    } finally {
      await back.close();
    }
  }, 60_000);
});

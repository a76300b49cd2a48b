import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { TenancyModule, TenantAdminService, type TenancyModuleOptions } from 'nestjs-tenancy';
import { TenancyCliModule } from 'nestjs-tenancy/cli';
import { describeWith, pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';
import { bootAdmin } from './support/admin-app';
import { AddMemoColor1700000000202, CreateMemos1700000000201, Memo } from './support/rls-migrations';

/** Resolves once some session waits for a lock on public.memos (a condition, not a timing). */
async function untilSomeoneWaitsOnMemos(url: string): Promise<void> {
  for (;;) {
    const rows = await pgAdmin(url, "SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'public.memos'::regclass");
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Issue 12 (concurrent runners) and FAILURES L7: DDL on a shared RLS table behind a long-held lock
 * gives up after `ddlLockTimeoutMs` with an error naming the table and the option, so the readers
 * that queued behind it go on; they are never blocked until the long transaction ends.
 */
describeWith('postgres', 'lock_timeout on DDL of the shared RLS tables', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const options = (migrations: Function[]): TenancyModuleOptions => ({
    databaseUrl: role.url,
    isolationStrategy: 'rls',
    entities: [Memo],
    migrations,
    poolSize: 3,
    cacheEnabled: false,
    ddlLockTimeoutMs: 1000,
  });

  it('a migration behind a long transaction fails fast and clearly; readers queued behind it go on', async () => {
    const first = await bootAdmin(options([CreateMemos1700000000201]));
    await first.close();
    const cli = await Test.createTestingModule({
      imports: [
        TenancyModule.forRoot({ mountGuard: false, ...options([CreateMemos1700000000201, AddMemoColor1700000000202]) }),
        TenancyCliModule,
      ],
    }).compile();
    await cli.init();
    const longReader = new Client({ connectionString: db.url });
    const lateReader = new Client({ connectionString: db.url });
    await longReader.connect();
    await lateReader.connect();
    try {
      await longReader.query('BEGIN');
      await longReader.query('SELECT count(*) FROM public.memos'); // holds ACCESS SHARE until COMMIT
      const admin = cli.get(TenantAdminService);
      const migrating = admin.migrate();
      await untilSomeoneWaitsOnMemos(db.url); // the ALTER TABLE queued behind the long reader
      // Queued behind the ALTER TABLE: without a lock_timeout it would wait for the long reader.
      const late = lateReader.query('SELECT count(*)::int AS n FROM public.memos');
      const report = await migrating;
      expect(report.failed).toBe(1);
      expect(report.results[0]).toMatchObject({
        tenant: 'shared RLS tables',
        status: 'failed',
        applied: [],
        failedMigration: 'AddMemoColor1700000000202',
        error: expect.stringMatching(
          /waited 1000 ms for a lock and gave up.*TENANCY_DDL_LOCK_TIMEOUT_MS \(option ddlLockTimeoutMs\).*Other sessions hold locks on public\.memos/,
        ),
      });
      expect((await late).rows).toEqual([{ n: 0 }]); // answered while the long transaction is still open
      await longReader.query('COMMIT');

      const again = await admin.migrate();
      expect(again.results[0]).toMatchObject({ status: 'migrated', applied: ['AddMemoColor1700000000202'] });
    } finally {
      await longReader.end();
      await lateReader.end();
      await cli.close();
    }
  }, 90_000);
});

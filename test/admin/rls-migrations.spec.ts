import { TenantAdminService, TenantConnectionManager, type TenancyModuleOptions } from 'nestjs-tenancy';
import { MigrateRevertCommand } from '../../libs/tenancy/src/cli/migrate-revert.command';
import { MigrateRunCommand } from '../../libs/tenancy/src/cli/migrate-run.command';
import { MigrateStatusCommand } from '../../libs/tenancy/src/cli/migrate-status.command';
import {
  describeWith,
  pgAdmin,
  serviceUrl,
  uniqueToken,
  useOrdinaryRole,
  usePostgresDatabase,
  withDatabase,
} from '../support';
import { bootAdmin } from './support/admin-app';
import { bootCli } from './support/cli-app';
import { AddMemoColor1700000000202, CreateMemos1700000000201, Memo } from './support/rls-migrations';

const CREATE = 'CreateMemos1700000000201';
const COLOR = 'AddMemoColor1700000000202';

/**
 * Issue 12 item 8: the shared RLS tables are one schema. migrate:run, migrate:revert and
 * migrate:status run and report their migrations once (hybrid: beside the schema tenants'), and
 * the CLI's start-up leaves pending ones to migrate:run.
 */
describeWith('postgres', 'migrations of the shared RLS tables (hybrid: RLS standard, schema premium)', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  afterEach(() => {
    process.exitCode = undefined;
  });
  const options = (migrations: Function[]): TenancyModuleOptions => ({
    databaseUrl: role.url,
    isolationStrategy: 'hybrid',
    standardIsolationStrategy: 'rls',
    premiumIsolationStrategy: 'schema',
    schemaPrefix: 'rm_',
    entities: [Memo],
    migrations,
    poolSize: 4,
    cacheEnabled: false,
  });
  const colorIn = async () =>
    (
      await pgAdmin(
        db.url,
        "SELECT table_schema FROM information_schema.columns WHERE table_name = 'memos' AND column_name = 'color' ORDER BY 1",
      )
    ).map((r) => r.table_schema);

  beforeAll(async () => {
    const app = await bootAdmin(options([CreateMemos1700000000201]));
    try {
      await app.admin.register({ identifier: 'rls-a', name: 'A' });
      await app.admin.register({ identifier: 'rls-b', name: 'B' });
      await app.admin.register({ identifier: 'sch-a', name: 'S', tier: 'premium' });
    } finally {
      await app.close();
    }
  }, 60_000);

  it('CLI: status shows the shared tables once, pending; run applies and reports them once; RLS tenants are served after', async () => {
    const cli = await bootCli(options([CreateMemos1700000000201, AddMemoColor1700000000202]));
    try {
      // The CLI's start-up left the new migration pending (an app's start-up would apply it).
      expect(await colorIn()).toEqual([]);
      await cli.ref.get(MigrateStatusCommand).run([], { json: true });
      expect(cli.take()).toEqual([
        {
          tenant: 'shared RLS tables',
          tenants: ['rls-a', 'rls-b'],
          status: null,
          isolationStrategy: 'rls',
          applied: [CREATE],
          pending: [COLOR],
        },
        { tenant: 'sch-a', status: 'active', isolationStrategy: 'schema', applied: [CREATE], pending: [COLOR] },
      ]);
      const rlsA = await cli.ref.get(TenantAdminService).get('rls-a');
      // Until migrate:run, the RLS tenants are refused (fail closed), never served unverified.
      await expect(cli.ref.get(TenantConnectionManager).getDataSource(rlsA)).rejects.toThrow(/rls/);

      await cli.ref.get(MigrateRunCommand).run([], { json: true });
      const lines = cli.take();
      expect(lines).toEqual([
        expect.objectContaining({
          tenant: 'shared RLS tables',
          tenants: ['rls-a', 'rls-b'],
          status: 'migrated',
          applied: [COLOR],
        }),
        expect.objectContaining({ tenant: 'sch-a', status: 'migrated', applied: [COLOR] }),
        { summary: { migrated: 2, failed: 0, skipped: 0, total: 2, sharedRlsTenants: 2 } },
      ]);
      expect(process.exitCode).toBeUndefined();
      expect(await colorIn()).toEqual(['public', 'rm_sch_a']);
      const memos = (await cli.ref.get(TenantConnectionManager).getDataSource(rlsA)).getRepository(Memo);
      await memos.save(memos.create({ body: 'after migrate:run' }));
      expect((await memos.find()).map((m) => m.body)).toEqual(['after migrate:run']);

      await cli.ref.get(MigrateRunCommand).run([], {});
      expect(cli.out.splice(0)).toEqual([
        expect.stringMatching(/^ok\s+shared RLS tables \(2 tenants\): migrated \(\d+ ms\) nothing to do$/),
        expect.stringMatching(/^ok\s+sch-a: migrated \(\d+ ms\) nothing to do$/),
        '2 migrated, 0 failed, 0 skipped (1 tenants + shared RLS tables: 2 tenants)',
      ]);
    } finally {
      await cli.ref.close();
    }
  }, 90_000);

  it('CLI: reverting one RLS tenant is the shared tables revert: confirmed with --yes, run once, schema tenants untouched', async () => {
    const cli = await bootCli(options([CreateMemos1700000000201, AddMemoColor1700000000202]));
    try {
      await cli.ref.get(MigrateRevertCommand).run([], { tenant: ['rls-b'] });
      expect(cli.err).toEqual([expect.stringMatching(/the shared RLS tables, which every RLS tenant uses.*--yes/)]);
      expect(process.exitCode).toBe(1);
      expect(await colorIn()).toEqual(['public', 'rm_sch_a']);
      process.exitCode = undefined;

      await cli.ref.get(MigrateRevertCommand).run([], { tenant: ['rls-b', 'rls-a'], json: true, yes: true } as never);
      expect(cli.take()).toEqual([
        expect.objectContaining({
          tenant: 'shared RLS tables',
          tenants: ['rls-a', 'rls-b'],
          status: 'reverted',
          applied: [COLOR],
        }),
        { summary: { reverted: 1, failed: 0, skipped: 0, total: 1, sharedRlsTenants: 2 } },
      ]);
      expect(await colorIn()).toEqual(['rm_sch_a']);
      await cli.ref.get(MigrateStatusCommand).run([], { tenant: ['rls-a'] });
      expect(cli.out.splice(0)).toEqual([
        expect.stringMatching(/^TENANT\s+STRATEGY\s+APPLIED\s+PENDING$/),
        expect.stringMatching(new RegExp(`^shared RLS tables \\(2 tenants\\)\\s+rls\\s+1\\s+${COLOR}$`)),
      ]);
    } finally {
      await cli.ref.close();
    }
  }, 90_000);

  it('admin API in an application: start-up applies them, migrate and migrationStatus report the shared tables once', async () => {
    const app = await bootAdmin(options([CreateMemos1700000000201, AddMemoColor1700000000202]));
    try {
      expect(await colorIn()).toEqual(['public', 'rm_sch_a']);
      const status = await app.admin.migrationStatus({ tenants: ['rls-a', 'sch-a', 'rls-b'] });
      expect(status).toEqual([
        expect.objectContaining({
          tenant: 'shared RLS tables',
          tenants: ['rls-a', 'rls-b'],
          applied: [CREATE, COLOR],
          pending: [],
        }),
        expect.objectContaining({ tenant: 'sch-a', applied: [CREATE, COLOR], pending: [] }),
      ]);
      const report = await app.admin.migrate();
      expect(report.results.map((r) => [r.tenant, r.status, r.applied])).toEqual([
        ['shared RLS tables', 'migrated', []],
        ['sch-a', 'migrated', []],
      ]);
    } finally {
      await app.close();
    }
  }, 60_000);
});

describeWith(
  'postgres',
  'migrations of the shared RLS tables with a separate owner role (migrationDatabaseUrl)',
  () => {
    const token = uniqueToken();
    const [name, owner, runtime] = [`tt_${token}`, `tt_own_${token}`, `tt_run_${token}`];
    const as = (role: string) => {
      const u = new URL(withDatabase(serviceUrl('postgres'), name));
      u.username = role;
      u.password = 'tenancy';
      return u.toString();
    };
    beforeAll(async () => {
      await pgAdmin(serviceUrl('postgres'), `CREATE DATABASE "${name}"`);
      await pgAdmin(
        withDatabase(serviceUrl('postgres'), name),
        `CREATE ROLE "${owner}" LOGIN PASSWORD 'tenancy' NOSUPERUSER NOBYPASSRLS`,
        `CREATE ROLE "${runtime}" LOGIN PASSWORD 'tenancy' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
        `GRANT CONNECT ON DATABASE "${name}" TO "${owner}", "${runtime}"`,
        `GRANT USAGE, CREATE ON SCHEMA public TO "${owner}"`,
        `GRANT USAGE ON SCHEMA public TO "${runtime}"`,
      );
    });
    afterAll(async () => {
      await pgAdmin(serviceUrl('postgres'), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      for (const r of [owner, runtime]) await pgAdmin(serviceUrl('postgres'), `DROP ROLE IF EXISTS "${r}"`);
    });
    const options = (migrations: Function[]): TenancyModuleOptions => ({
      databaseUrl: as(runtime),
      migrationDatabaseUrl: as(owner),
      isolationStrategy: 'rls',
      entities: [Memo],
      migrations,
      poolSize: 3,
      cacheEnabled: false,
    });

    it('CLI migrate:run applies them as the owner (a pool opened for the run), grants and verifies; the runtime role serves', async () => {
      const app = await bootAdmin(options([CreateMemos1700000000201]));
      try {
        await app.admin.register({ identifier: 'own-a', name: 'A' });
      } finally {
        await app.close();
      }
      const cli = await bootCli(options([CreateMemos1700000000201, AddMemoColor1700000000202]));
      try {
        await cli.ref.get(MigrateRunCommand).run([], { json: true });
        expect(cli.take()).toEqual([
          expect.objectContaining({
            tenant: 'shared RLS tables',
            tenants: ['own-a'],
            status: 'migrated',
            applied: [COLOR],
          }),
          { summary: { migrated: 1, failed: 0, skipped: 0, total: 1, sharedRlsTenants: 1 } },
        ]);
        const [table] = await pgAdmin(
          withDatabase(serviceUrl('postgres'), name),
          "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'memos'",
        );
        expect(table.tableowner).toBe(owner);
        const tenant = await cli.ref.get(TenantAdminService).get('own-a');
        const memos = (await cli.ref.get(TenantConnectionManager).getDataSource(tenant)).getRepository(Memo);
        await memos.save(memos.create({ body: 'as the runtime role' }));
        expect(await memos.count()).toBe(1);
      } finally {
        await cli.ref.close();
      }
    }, 90_000);
  },
);

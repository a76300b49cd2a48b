import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import { schemaExists, tenantRows } from './support/admin-app';

const ROOT = join(__dirname, '..', '..');
const MIGRATIONS = join(__dirname, 'support', 'cli-migrations');
const FIRST = join(MIGRATIONS, '1700000000101-create-gadgets.migration.ts');
const SECOND = join(MIGRATIONS, '1700000000102-add-size.migration.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Runs the sample CLI exactly as `npm run cli -- …` does, with TENANCY_* from `env` only. */
function cli(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TENANCY_') && k !== 'NODE_OPTIONS'),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', './tools/register.js', 'apps/sample/src/cli.ts', ...args],
      { cwd: ROOT, env: { ...inherited, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, lines: stdout.split('\n').filter(Boolean) });
      },
    );
  });
}

describeWith('postgres', 'the tenancy CLI, run as a user runs it (npm run cli)', () => {
  const db = usePostgresDatabase();
  const env = (migrations: string[], extra: Record<string, string> = {}) => ({
    TENANCY_DATABASE_URL: db.url,
    TENANCY_SCHEMA_PREFIX: 'cli_',
    TENANCY_MIGRATIONS: migrations.join(','),
    TENANCY_CACHE_ENABLED: 'false',
    ...extra,
  });
  const sizeColumns = async () =>
    (
      await pgAdmin(
        db.url,
        "SELECT table_schema FROM information_schema.columns WHERE table_name = 'gadgets' AND column_name = 'size' ORDER BY 1",
      )
    ).map((r) => r.table_schema);

  it('tenants:create provisions tenants; a duplicate or invalid one fails with exit code 1', async () => {
    for (const id of ['cli-a', 'cli-b', 'cli-c']) {
      const run = await cli(env([FIRST]), 'tenants:create', id, '--name', `Tenant ${id}`);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^Created tenant ${id} \\(schema, active\\): [0-9a-f-]{36}\\n$`));
    }
    expect(await schemaExists(db.url, 'cli_cli_b')).toBe(true);
    const duplicate = await cli(env([FIRST]), 'tenants:create', 'cli-a', '--name', 'again');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);
    const invalid = await cli(env([FIRST]), 'tenants:create', 'Bad_Name', '--name', 'x', '--json');
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.lines[0])).toMatchObject({
      name: 'TenantProvisioningError',
      error: expect.stringMatching(/step "validate"/),
    });
  }, 180_000); // five CLI processes, each booting Nest: a loaded 2-core machine needs over 60 s

  it('tenants:list prints a table, or JSON lines without secrets', async () => {
    const table = await cli(env([FIRST]), 'tenants:list');
    expect(table.code).toBe(0);
    expect(table.lines[0]).toMatch(/^IDENTIFIER\s+STATUS\s+STRATEGY\s+TIER\s+ID\s+NAME$/);
    expect(table.lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['cli-a', 'active', 'schema'],
      ['cli-b', 'active', 'schema'],
      ['cli-c', 'active', 'schema'],
    ]);
    const json = await cli(env([FIRST]), 'tenants:list', '--json', '--limit', '2');
    const rows = json.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.identifier)).toEqual(['cli-a', 'cli-b']);
    expect(Object.keys(rows[0]).sort()).toEqual([
      'createdAt',
      'id',
      'identifier',
      'isolationStrategy',
      'name',
      'status',
      'tier',
    ]);
  }, 60_000);

  it('migrate:status, then migrate:run with one failing tenant exits 1 and reports it; the rest migrate', async () => {
    const status = await cli(env([FIRST, SECOND]), 'migrate:status', '--json');
    expect(status.code).toBe(0);
    expect(status.lines.map((l) => JSON.parse(l))).toEqual(
      ['cli-a', 'cli-b', 'cli-c'].map((tenant) => ({
        tenant,
        status: 'active',
        isolationStrategy: 'schema',
        applied: ['CreateGadgets1700000000101'],
        pending: ['AddSize1700000000102'],
      })),
    );

    const run = await cli(
      env([FIRST, SECOND], { CLI_TEST_FAIL_SCHEMA: 'cli_cli_b' }),
      'migrate:run',
      '--concurrency',
      '2',
    );
    expect(run.code).toBe(1);
    expect(run.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ok\s+cli-a: migrated \(\d+ ms\) AddSize1700000000102$/),
        expect.stringMatching(
          /^FAILED cli-b: failed \(\d+ ms\) migration AddSize1700000000102 failed: AddSize refuses cli_cli_b; nothing was committed$/,
        ),
        expect.stringMatching(/^ok\s+cli-c: migrated/),
      ]),
    );
    expect(run.lines.at(-1)).toBe('2 migrated, 1 failed, 0 skipped (3 tenants)');
    expect(await sizeColumns()).toEqual(['cli_cli_a', 'cli_cli_c']);
  }, 60_000);

  it('migrate:run --json prints only JSON lines on stdout, failures included', async () => {
    const run = await cli(env([FIRST, SECOND], { CLI_TEST_FAIL_SCHEMA: 'cli_cli_b' }), 'migrate:run', '--json');
    expect(run.code).toBe(1);
    const lines = run.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.tenant === 'cli-b')).toMatchObject({
      status: 'failed',
      applied: [],
      failedMigration: 'AddSize1700000000102',
      error: 'migration AddSize1700000000102 failed: AddSize refuses cli_cli_b; nothing was committed',
    });
    expect(lines.at(-1)).toEqual({ summary: { migrated: 2, failed: 1, skipped: 0, total: 3 } });
  }, 60_000);

  it('migrate:run --json --tenant runs only the named tenants and exits 0 when none failed', async () => {
    const run = await cli(env([FIRST, SECOND]), 'migrate:run', '--json', '--tenant', 'cli-b');
    expect(run.code).toBe(0);
    const [result, summary] = run.lines.map((l) => JSON.parse(l));
    expect(result).toMatchObject({ tenant: 'cli-b', status: 'migrated', applied: ['AddSize1700000000102'] });
    expect(summary).toEqual({ summary: { migrated: 1, failed: 0, skipped: 0, total: 1 } });
    expect(await sizeColumns()).toEqual(['cli_cli_a', 'cli_cli_b', 'cli_cli_c']);
  }, 60_000);

  it('migrate:revert reverts the last migration of the named tenants (--yes)', async () => {
    // Over several tenants, without a terminal: refused until --yes (issue 12).
    const refused = await cli(env([FIRST, SECOND]), 'migrate:revert', '-t', 'cli-a', 'cli-c');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/reverts the last migration of 2 tenants.*--yes/);
    expect(await sizeColumns()).toEqual(['cli_cli_a', 'cli_cli_b', 'cli_cli_c']);
    const run = await cli(env([FIRST, SECOND]), 'migrate:revert', '-t', 'cli-a', 'cli-c', '--yes');
    expect(run.code).toBe(0);
    expect(run.lines.at(-1)).toBe('2 reverted, 0 failed, 0 skipped (2 tenants)');
    expect(await sizeColumns()).toEqual(['cli_cli_b']);
  }, 90_000);

  it('a tenant named by identifier and id runs once; an unknown name fails migrate:status and migrate:run', async () => {
    const id = String((await tenantRows(db.url, 'cli-a'))[0].id);
    const run = await cli(env([FIRST, SECOND]), 'migrate:run', '--json', '--tenant', 'cli-a', '--tenant', id);
    expect(run.code).toBe(0);
    expect(run.lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ tenant: 'cli-a', status: 'migrated', applied: ['AddSize1700000000102'] }),
      { summary: { migrated: 1, failed: 0, skipped: 0, total: 1 } },
    ]);
    const revert = await cli(env([FIRST, SECOND]), 'migrate:revert', '--json', '--yes', '-t', `${id},cli-a`);
    expect(JSON.parse(revert.lines.at(-1)!)).toEqual({ summary: { reverted: 1, failed: 0, skipped: 0, total: 1 } });
    expect(await sizeColumns()).toEqual(['cli_cli_b']);

    const status = await cli(env([FIRST, SECOND]), 'migrate:status', '--tenant', 'no-such-co');
    expect(status.code).toBe(1);
    expect(status.stdout).not.toMatch(/No tenants/);
    expect(status.lines[1]).toMatch(/^no-such-co\s+-\s+0\s+ERROR Tenant not found: "no-such-co"$/);
    const json = await cli(env([FIRST, SECOND]), 'migrate:status', '--json', '-t', 'no-such-co');
    expect(json.code).toBe(1);
    const migrate = await cli(env([FIRST, SECOND]), 'migrate:run', '--json', '-t', 'no-such-co');
    expect(migrate.code).toBe(1);
    expect(JSON.parse(migrate.lines[0]).error).toBe(JSON.parse(json.lines[0]).error);
  }, 90_000);

  it('tenants:suspend, tenants:activate and tenants:delete [--hard]', async () => {
    expect((await cli(env([FIRST]), 'tenants:suspend', 'cli-c')).stdout).toBe('Suspended tenant cli-c\n');
    expect((await tenantRows(db.url, 'cli-c'))[0].status).toBe('suspended');
    expect((await cli(env([FIRST]), 'tenants:activate', 'cli-c')).stdout).toBe('Activated tenant cli-c\n');
    const soft = await cli(env([FIRST]), 'tenants:delete', 'cli-a');
    expect(soft).toMatchObject({ code: 0, stdout: 'Deleted tenant cli-a (soft: data kept, identifier reserved)\n' });
    expect(await schemaExists(db.url, 'cli_cli_a')).toBe(true);
    const unconfirmed = await cli(env([FIRST]), 'tenants:delete', 'cli-c', '--hard');
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toMatch(/drops the storage of tenant "cli-c".*--yes/);
    expect(await schemaExists(db.url, 'cli_cli_c')).toBe(true);
    const hard = await cli(env([FIRST]), 'tenants:delete', 'cli-c', '--hard', '--yes');
    expect(hard).toMatchObject({ code: 0, stdout: 'Deleted tenant cli-c (hard: storage dropped)\n' });
    expect(await schemaExists(db.url, 'cli_cli_c')).toBe(false);
    expect(await tenantRows(db.url, 'cli-c')).toEqual([]);
    const missing = await cli(env([FIRST]), 'tenants:suspend', 'cli-c');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Tenant not found/);
  }, 120_000);

  it('tenants:create refuses non-empty leftover storage (naming the schema) unless --adopt; --adopt keeps the data', async () => {
    await pgAdmin(
      db.url,
      'CREATE SCHEMA "cli_left_over"',
      "CREATE TABLE cli_left_over.vault (secret text); INSERT INTO cli_left_over.vault VALUES ('Secret leftover')",
    );
    const refused = await cli(env([FIRST]), 'tenants:create', 'left-over', '--name', 'Left over');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/"cli_left_over".*already exists and is not empty.*tenants:create --adopt/);
    expect(await tenantRows(db.url, 'left-over')).toEqual([]);
    expect(await schemaExists(db.url, 'cli_left_over')).toBe(true);

    const adopted = await cli(env([FIRST]), 'tenants:create', 'left-over', '--name', 'Left over', '--adopt');
    expect(adopted).toMatchObject({ code: 0, stderr: '' });
    expect(adopted.stdout).toMatch(/^Created tenant left-over \(schema, active\): [0-9a-f-]{36}\n$/);
    expect((await pgAdmin(db.url, 'SELECT secret FROM cli_left_over.vault')).map((r) => r.secret)).toEqual([
      'Secret leftover',
    ]);
    const tables = await pgAdmin(
      db.url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'cli_left_over' ORDER BY 1",
    );
    expect(tables.map((r) => r.tablename)).toEqual(['gadgets', 'tenancy_migrations', 'vault']);
  }, 150_000);

  it('a configuration error stops the CLI with exit code 1 and names the variable', async () => {
    const run = await cli({ ...env([FIRST]), TENANCY_ISOLATION_STRATEGY: 'sideways' }, 'tenants:list');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/TENANCY_ISOLATION_STRATEGY/);
  }, 60_000);
});

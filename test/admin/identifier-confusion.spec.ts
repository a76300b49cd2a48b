import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { TenancyError, TenantNotFoundError, type Tenant } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, usePostgresDatabase } from '../support';
import { bootAdmin, tenantRows, type AdminApp } from './support/admin-app';

const ROOT = join(__dirname, '..', '..');

/** A UUID that also matches the identifier pattern (starts with a letter). */
const letterUuid = (): string => `a${randomUUID().slice(1)}`;

/** Runs the sample CLI as `npm run cli -- …` does. */
function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TENANCY_') && k !== 'NODE_OPTIONS'),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', './tools/register.js', 'apps/sample/src/cli.ts', ...args],
      { cwd: ROOT, env: { ...inherited, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout + stderr }),
    );
  });
}

describeWith('postgres', 'issue 11 item 5: an identifier can never be mistaken for an id (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  let app: AdminApp;
  let victim: Tenant;

  beforeAll(async () => {
    app = await bootAdmin({
      databaseUrl: db.url,
      isolationStrategy: 'schema',
      schemaPrefix: 'ic_',
      entities: [Order, Customer],
      cacheEnabled: false,
      poolSize: 3,
    });
    // Registered until its id starts with a letter (a UUID the identifier pattern would accept).
    for (let i = 0; !victim || !/^[a-z]/.test(victim.id); i++)
      victim = await app.admin.register({ identifier: `victim-${i}`, name: 'Victim' });
  });
  afterAll(() => app?.close());

  it("refuses to register another tenant's id as an identifier, so admin actions never reach the victim", async () => {
    const attempt = app.admin.register({ identifier: victim.id, name: 'Attacker' });
    await expect(attempt).rejects.toThrow(TenancyError);
    await expect(attempt).rejects.toThrow(/UUID/);
    expect(await tenantRows(db.url, victim.id)).toEqual([]);
    expect(await app.admin.get(victim.id)).toMatchObject({ id: victim.id, status: 'active' });
  });

  it('refuses any UUID-shaped identifier, even one that is nobody’s id', async () => {
    await expect(app.admin.register({ identifier: letterUuid(), name: 'Shaped' })).rejects.toThrow(/UUID/);
  });

  it('looks UUID-shaped input up by id only: a legacy UUID-shaped identifier is not found that way', async () => {
    // A row written straight to the store (as before identifiers were checked for UUID shape).
    const legacy = await app.store.create({ identifier: letterUuid(), name: 'Legacy', isolationStrategy: 'schema' });
    await expect(app.admin.get(legacy.identifier)).rejects.toThrow(TenantNotFoundError);
    await expect(app.admin.suspend(legacy.identifier)).rejects.toThrow(TenantNotFoundError);
    expect(await app.admin.get(legacy.id)).toMatchObject({ id: legacy.id, status: 'active' });
    await app.store.delete(legacy.id);
  });

  it('the CLI refuses a UUID-shaped identifier (exit code 1, the reason printed)', async () => {
    const env = { TENANCY_DATABASE_URL: db.url, TENANCY_SCHEMA_PREFIX: 'ic_', TENANCY_CACHE_ENABLED: 'false' };
    const run = await cli(env, 'tenants:create', victim.id, '--name', 'Attacker');
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/UUID/);
    expect(await tenantRows(db.url, victim.id)).toEqual([]);
  });
});

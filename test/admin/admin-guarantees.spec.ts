import type { TenancyModuleOptions } from 'nestjs-tenancy';
import { TenancyError } from 'nestjs-tenancy';
import { describeWith, pgAdmin, usePostgresDatabase, withDatabase } from '../support';
import {
  bootAdmin,
  databaseExists,
  physical,
  schemaExists,
  tenantRows,
  useTenantPlacement,
  type AdminApp,
} from './support/admin-app';
import {
  AddAmount1700000000203,
  AddCurrency1700000000205,
  Breaks1700000000204,
  CreateLedger1700000000201,
  SeedLedger1700000000202,
} from './support/guarantee-migrations';

const KEY = 'guarantees-passphrase-0123456789-abcdef';
const BASE = [CreateLedger1700000000201];
const rawMetadata = async (url: string, identifier: string) =>
  (await tenantRows(url, identifier))[0].metadata as Record<string, unknown>;

describeWith('postgres', 'admin operations do exactly what they report (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const placement = useTenantPlacement(db, 'ag');
  const { dbPrefix } = placement;
  let app: AdminApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const boot = (migrations: TenancyModuleOptions['migrations'] = BASE, extra: Partial<TenancyModuleOptions> = {}) =>
    bootAdmin({
      ...placement.options(),
      isolationStrategy: 'hybrid',
      premiumIsolationStrategy: 'database',
      standardIsolationStrategy: 'schema',
      migrations,
      poolSize: 4,
      cacheEnabled: false,
      enableEncryption: true,
      encryptionKey: KEY,
      ...extra,
    });
  const ledgerRows = async (identifier: string) =>
    Number((await pgAdmin(db.url, `SELECT count(*) AS n FROM "${physical('ag_', identifier)}".ledger`))[0].n);

  it('a tenant named twice (identifier and id) is migrated once, by migrate and revertMigration', async () => {
    app = await boot();
    const t = await app.admin.register({ identifier: 'dup-co', name: 'Dup' });
    await app.close();
    app = await boot([...BASE, SeedLedger1700000000202]);
    const report = await app.admin.migrate({ tenants: ['dup-co', t.id, 'dup-co'] });
    expect(report).toEqual({
      failed: 0,
      results: [
        expect.objectContaining({ tenant: 'dup-co', status: 'migrated', applied: ['SeedLedger1700000000202'] }),
      ],
    });
    expect(await ledgerRows('dup-co')).toBe(1);
    const reverted = await app.admin.revertMigration({ tenants: [t.id, 'dup-co'] });
    expect(reverted.results).toEqual([
      expect.objectContaining({ tenant: 'dup-co', status: 'reverted', applied: ['SeedLedger1700000000202'] }),
    ]);
    // Reverted once: the table the first migration created is still there.
    expect(await ledgerRows('dup-co')).toBe(0);
    expect(await app.admin.migrationStatus({ tenants: ['dup-co', t.id] })).toHaveLength(1);
  });

  it('a run failing half-way reports what was committed and which migration failed', async () => {
    app = await boot();
    await app.admin.register({ identifier: 'half-co', name: 'Half' });
    await app.close();
    app = await boot([...BASE, AddAmount1700000000203, Breaks1700000000204, AddCurrency1700000000205]);
    const report = await app.admin.migrate({ tenants: ['half-co'] });
    expect(report.failed).toBe(1);
    expect(report.results[0]).toMatchObject({
      tenant: 'half-co',
      status: 'failed',
      applied: ['AddAmount1700000000203'],
      failedMigration: 'Breaks1700000000204',
      error: expect.stringMatching(/Breaks1700000000204.*Breaks refuses to run/),
    });
    // As reported: AddAmount is committed, the rest is still pending.
    const [status] = await app.admin.migrationStatus({ tenants: ['half-co'] });
    expect(status.pending).toEqual(['Breaks1700000000204', 'AddCurrency1700000000205']);
  });

  it('unknown names are reported the same way by migrationStatus, migrate and revertMigration', async () => {
    app = await boot();
    await app.admin.register({ identifier: 'known-co', name: 'Known' });
    const status = await app.admin.migrationStatus({ tenants: ['nobody-co', 'known-co'] });
    const migrated = await app.admin.migrate({ tenants: ['nobody-co'] });
    const reverted = await app.admin.revertMigration({ tenants: ['nobody-co'] });
    expect(status.map((s) => s.tenant)).toEqual(['nobody-co', 'known-co']);
    expect(status[0]).toMatchObject({ status: null, isolationStrategy: null, applied: [], pending: [] });
    expect(status[0].error).toMatch(/not found/);
    expect(migrated.results[0].error).toBe(status[0].error);
    expect(reverted.results[0].error).toBe(status[0].error);
    expect(status[1].error).toBeUndefined();
  });

  it('update() refuses placement changes (promotion moves data); a hard delete removes the real storage', async () => {
    app = await boot();
    const t = await app.admin.register({ identifier: 'place-co', name: 'Place' });
    await expect(app.admin.update(t.id, { isolationStrategy: 'database' })).rejects.toThrow(/promot/);
    await expect(app.admin.update(t.id, { databaseUrl: withDatabase(db.adminUrl, 'elsewhere') })).rejects.toThrow(
      /only for database-per-tenant/,
    );
    expect((await tenantRows(db.url, 'place-co'))[0]).toMatchObject({
      isolation_strategy: 'schema',
      database_url: null,
    });
    // Renaming the tier moves nothing and is accepted; the strategy stays as stored.
    expect(await app.admin.update(t.id, { tier: 'premium', name: 'Placed' })).toMatchObject({
      isolationStrategy: 'schema',
      tier: 'premium',
    });
    await app.admin.delete(t.id, { hard: true });
    expect(await schemaExists(db.url, physical('ag_', 'place-co'))).toBe(false);
    expect(await tenantRows(db.url, 'place-co')).toEqual([]);
  });

  it('update() of a database tenant: new credentials for the database it brought, never another database', async () => {
    app = await boot();
    const made = await app.admin.register({ identifier: 'dbmade-co', name: 'Made', tier: 'premium' });
    const madeDb = physical(dbPrefix(), 'dbmade-co');
    expect(await databaseExists(db.adminUrl, madeDb)).toBe(true);
    await expect(app.admin.update(made.id, { isolationStrategy: 'schema' })).rejects.toThrow(/promot/);
    // A database made from the template has no URL of its own: naming any (even its own) is refused.
    for (const url of [withDatabase(db.adminUrl, 'postgres'), withDatabase(db.adminUrl, madeDb)])
      await expect(app.admin.update(made.id, { databaseUrl: url })).rejects.toThrow(/promot/);
    expect((await tenantRows(db.url, 'dbmade-co'))[0].database_url).toBeNull();
    await app.admin.delete(made.id, { hard: true });
    expect(await databaseExists(db.adminUrl, madeDb)).toBe(false);

    const ownDb = `${dbPrefix()}own`;
    await pgAdmin(db.adminUrl, `CREATE DATABASE "${ownDb}"`);
    const own = withDatabase(db.adminUrl, ownDb);
    const brought = await app.admin.register({
      identifier: 'dbown-co',
      name: 'Own',
      tier: 'premium',
      databaseUrl: own,
    });
    await expect(app.admin.update(brought.id, { databaseUrl: null })).rejects.toThrow(/promot/);
    await expect(app.admin.update(brought.id, { databaseUrl: withDatabase(db.adminUrl, 'postgres') })).rejects.toThrow(
      /promot/,
    );
    // The same database with other connection settings (e.g. new credentials): nothing moves.
    const same = `${own}?application_name=rotated`;
    await app.admin.update(brought.id, { databaseUrl: same });
    expect(app.admin.decrypt(await app.admin.get(brought.id)).databaseUrl).toBe(same);
    await app.admin.delete(brought.id, { hard: true });
    expect(await databaseExists(db.adminUrl, ownDb)).toBe(true);
  });

  it('secret values that already look encrypted are encrypted too, unless they are tokens of this key', async () => {
    app = await boot();
    const fake = 'enc::not-really-a-token';
    const t = await app.admin.register({ identifier: 'fake-enc', name: 'F', metadata: { _enc_a: fake, plain: 1 } });
    expect((await rawMetadata(db.url, 'fake-enc'))._enc_a).not.toBe(fake);
    expect(JSON.stringify(await rawMetadata(db.url, 'fake-enc'))).not.toContain('not-really-a-token');
    expect(app.admin.decrypt(await app.admin.get(t.id)).metadata).toEqual({ _enc_a: fake, plain: 1 });
    await app.admin.update(t.id, { metadata: { _enc_b: 'enc::also-fake' } });
    expect(JSON.stringify(await rawMetadata(db.url, 'fake-enc'))).not.toContain('also-fake');
    expect(app.admin.decrypt(await app.admin.get(t.id)).metadata).toEqual({ _enc_b: 'enc::also-fake' });
    // A stored token handed back (read, change, write) is not encrypted a second time.
    const stored = await app.admin.get(t.id);
    await app.admin.update(t.id, { metadata: { ...stored.metadata, plan: 'gold' } });
    expect(app.admin.decrypt(await app.admin.get(t.id)).metadata).toEqual({ _enc_b: 'enc::also-fake', plan: 'gold' });
  });

  it('update() validates its patch like a registration', async () => {
    app = await boot();
    const t = await app.admin.register({ identifier: 'patch-co', name: 'Patch' });
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ status: 'archived' }, /status/],
      [{ status: 'provisioning' }, /status/],
      [{ name: '' }, /name/],
      [{ name: 42 }, /name/],
      [{ tier: '' }, /tier/],
      [{ metadata: [] }, /metadata/],
      [{ identifier: 'other-co' }, /identifier/],
      [{ id: '00000000-0000-4000-8000-000000000000' }, /id/],
    ];
    for (const [patch, message] of bad) {
      await expect(app.admin.update(t.id, patch as never)).rejects.toThrow(message);
      await expect(app.admin.update(t.id, patch as never)).rejects.toBeInstanceOf(TenancyError);
    }
    expect((await tenantRows(db.url, 'patch-co'))[0]).toMatchObject({
      status: 'active',
      name: 'Patch',
      tier: 'standard',
    });
    // Status changes through update() follow the same rules as suspend() and activate().
    expect(await app.admin.update(t.id, { status: 'suspended' })).toMatchObject({ status: 'suspended' });
    expect(await app.admin.update(t.id, { status: 'active' })).toMatchObject({ status: 'active' });
  });
});

import type { TenancyModuleOptions, TenantIsolation } from 'nestjs-tenancy';
import { TenantConnectionManager, TenantProvisioningError } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, mysqlAdmin, pgAdmin, useMysqlDatabase, usePostgresDatabase, withDatabase } from '../support';
import {
  bootAdmin,
  databaseExists,
  physical,
  schemaExists,
  tenantRows,
  useTenantPlacement,
  type AdminApp,
} from './support/admin-app';
import { CreateWidgets1700000000001, Explodes1700000000002 } from './support/migrations';

async function refusal(promise: Promise<unknown>): Promise<TenantProvisioningError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TenantProvisioningError);
  return error as TenantProvisioningError;
}

/**
 * Issue 12 items 1 and 2: storage that existed before `register` is never dropped by its
 * rollback, and non-empty storage is refused unless adopted deliberately.
 */
describeWith('postgres', 'register over storage that already exists (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const placement = useTenantPlacement(db, 'ex');
  const { dbPrefix } = placement;
  let app: AdminApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await pgAdmin(db.url, 'DELETE FROM public.tenants').catch(() => undefined);
  });

  const options = (strategy: TenantIsolation, extra: Partial<TenancyModuleOptions> = {}): TenancyModuleOptions => ({
    ...placement.options(),
    isolationStrategy: strategy,
    entities: [Order, Customer],
    poolSize: 3,
    cacheEnabled: false,
    ...extra,
  });

  describe.each<TenantIsolation>(['schema', 'database'])('%s', (strategy) => {
    /** SQL run inside the tenant's storage, as the superuser. */
    const inStorage = (identifier: string, sql: string) =>
      strategy === 'schema'
        ? pgAdmin(db.url, `SET search_path TO "${physical('ex_', identifier)}"`, sql)
        : pgAdmin(withDatabase(db.adminUrl, physical(dbPrefix(), identifier)), sql);
    const createStorage = async (identifier: string) => {
      if (strategy === 'schema') await pgAdmin(db.url, `CREATE SCHEMA "${physical('ex_', identifier)}"`);
      else await pgAdmin(db.adminUrl, `CREATE DATABASE "${physical(dbPrefix(), identifier)}"`);
    };
    const withSecret = async (identifier: string) => {
      await createStorage(identifier);
      await inStorage(identifier, "CREATE TABLE vault (secret text); INSERT INTO vault VALUES ('Secret leftover')");
    };
    const secrets = async (identifier: string) =>
      (await inStorage(identifier, 'SELECT secret FROM vault')).map((r) => r.secret);
    const tables = async (identifier: string) =>
      (
        await inStorage(
          identifier,
          "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
      ).map((r) => r.t);
    const physicalName = (identifier: string) =>
      strategy === 'schema' ? physical('ex_', identifier) : physical(dbPrefix(), identifier);

    it('item 2: non-empty leftover storage is refused, naming it; nothing is dropped or reserved', async () => {
      const id = `${strategy}-leftover`;
      await withSecret(id);
      app = await bootAdmin(options(strategy));
      const error = await refusal(app.admin.register({ identifier: id, name: 'Wayne' }));
      expect(error.step).toBe('create_storage');
      expect(error.message).toContain(`"${physicalName(id)}"`);
      expect(error.message).toMatch(/adoptExistingStorage: true/);
      expect(error.message).toMatch(/--adopt/);
      expect(await secrets(id)).toEqual(['Secret leftover']);
      expect(await tenantRows(db.url, id)).toEqual([]);
    });

    it('item 2: adoptExistingStorage: true serves the existing storage', async () => {
      const id = `${strategy}-adopted`;
      await withSecret(id);
      app = await bootAdmin(options(strategy));
      const tenant = await app.admin.register({ identifier: id, name: 'Wayne', adoptExistingStorage: true });
      expect(tenant.status).toBe('active');
      const ds = await app.ref.get(TenantConnectionManager).getDataSource(tenant);
      expect((await ds.query('SELECT secret FROM vault')).map((r: { secret: string }) => r.secret)).toEqual([
        'Secret leftover',
      ]);
    });

    it('item 1: a failing migration over adopted storage keeps the storage and its data', async () => {
      const id = `${strategy}-wayne`;
      await withSecret(id);
      app = await bootAdmin(options(strategy, { migrations: [CreateWidgets1700000000001, Explodes1700000000002] }));
      const error = await refusal(app.admin.register({ identifier: id, name: 'Wayne', adoptExistingStorage: true }));
      expect(error.step).toBe('migrate');
      expect(await secrets(id)).toEqual(['Secret leftover']);
      // What this call created is undone: the migration it applied is reverted.
      expect(await tables(id)).toEqual(['tenancy_migrations', 'vault']);
      expect(await tenantRows(db.url, id)).toEqual([]);
    });

    it('item 1: an empty pre-existing storage survives the rollback, emptied of what the call created', async () => {
      const id = `${strategy}-empty`;
      await createStorage(id);
      app = await bootAdmin(options(strategy, { migrations: [CreateWidgets1700000000001, Explodes1700000000002] }));
      const error = await refusal(app.admin.register({ identifier: id, name: 'Empty' }));
      expect(error.step).toBe('migrate');
      expect(await tables(id)).not.toContain('widgets');
      expect(await tenantRows(db.url, id)).toEqual([]);
      // Still there: it was not this call's to drop.
      expect(
        strategy === 'schema'
          ? await schemaExists(db.url, physicalName(id))
          : await databaseExists(db.adminUrl, physicalName(id)),
      ).toBe(true);
    });
  });
});

describeWith('mysql', 'register over a database that already exists (MariaDB, schema = database)', () => {
  const db = useMysqlDatabase();
  let app: AdminApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const options = (): TenancyModuleOptions => ({
    databaseUrl: db.url,
    isolationStrategy: 'schema',
    schemaPrefix: db.prefix,
    entities: [Order, Customer],
    migrations: [CreateWidgetsMysql1700000000001, Explodes1700000000002],
    poolSize: 2,
    cacheEnabled: false,
  });
  const name = (identifier: string) => `${db.prefix}${identifier.replaceAll('-', '_')}`;

  it('refuses a non-empty leftover; with adoption a failing migration keeps the data', async () => {
    await mysqlAdmin(
      db.url,
      `CREATE DATABASE \`${name('wayne')}\``,
      `CREATE TABLE \`${name('wayne')}\`.vault (secret text)`,
      `INSERT INTO \`${name('wayne')}\`.vault VALUES ('Secret leftover')`,
    );
    app = await bootAdmin(options());
    const refused = await refusal(app.admin.register({ identifier: 'wayne', name: 'Wayne' }));
    expect(refused.step).toBe('create_storage');
    expect(refused.message).toContain(`"${name('wayne')}"`);
    const failed = await refusal(
      app.admin.register({ identifier: 'wayne', name: 'Wayne', adoptExistingStorage: true }),
    );
    expect(failed.step).toBe('migrate');
    const rows = await mysqlAdmin(db.url, `SELECT secret FROM \`${name('wayne')}\`.vault`);
    expect(rows.map((r) => r.secret)).toEqual(['Secret leftover']);
    const left = await mysqlAdmin(
      db.url,
      `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${name('wayne')}' ORDER BY 1`,
    );
    expect(left.map((r) => r.t)).toEqual(['tenancy_migrations', 'vault']);
  });
});

/** `widgets` in MariaDB syntax. */
class CreateWidgetsMysql1700000000001 {
  async up(q: { query(sql: string): Promise<unknown> }): Promise<void> {
    await q.query('CREATE TABLE widgets (id int AUTO_INCREMENT PRIMARY KEY, label text NOT NULL)');
  }
  async down(q: { query(sql: string): Promise<unknown> }): Promise<void> {
    await q.query('DROP TABLE widgets');
  }
}

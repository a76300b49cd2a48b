import { TenantConnectionManager, type Tenant, type TenancyModuleOptions } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, pgAdmin, usePostgresDatabase, useRedisNamespace, withDatabase } from '../support';
import { bootAdmin, databaseTemplate, dropDatabases, type AdminApp } from './support/admin-app';

/** Waits (bounded) until `instance` has dropped its cached copy of `identifier`. */
async function dropped(instance: AdminApp, identifier: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (instance.store.peekByIdentifier?.(identifier) === undefined) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/**
 * Issue 12 item 5: `update()` of a tenant's placement (its database URL or strategy) evicts the
 * cached DataSources on every instance, through the invalidation bus, not only on the one that
 * made the change.
 */
describeWith('postgres', 'placement changes reach every instance (two instances, one Redis)', () => {
  const db = usePostgresDatabase();
  const ns = useRedisNamespace();
  const dbPrefix = () => `pb${db.name.slice(-6)}_`;
  const moved = () => `${dbPrefix()}moved`;
  let one: AdminApp;
  let two: AdminApp;
  beforeAll(async () => {
    await pgAdmin(db.adminUrl, `CREATE DATABASE "${moved()}"`);
    const options: TenancyModuleOptions = {
      databaseUrl: db.url,
      isolationStrategy: 'database',
      databaseUrlTemplate: databaseTemplate(db.adminUrl),
      databasePrefix: dbPrefix(),
      entities: [Order, Customer],
      redisUrl: ns.url,
      redisKeyPrefix: ns.prefix,
      poolSize: 2,
    };
    one = await bootAdmin(options);
    two = await bootAdmin(options);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await dropDatabases(db.adminUrl, dbPrefix());
  });

  const whereAmI = async (instance: AdminApp, tenant: Tenant) => {
    const ds = await instance.ref.get(TenantConnectionManager).getDataSource(tenant);
    const sql = "SELECT current_database() AS name, current_setting('application_name') AS app";
    return ((await ds.query(sql)) as Array<{ name: string; app: string }>)[0];
  };

  it('a new databaseUrl set through one instance is served by the other', async () => {
    // update() never points a tenant at another database (issue 19: nothing would move its data);
    // the database it brought may get a new URL (credentials, settings), which every instance uses.
    const own = withDatabase(db.adminUrl, moved());
    const registered = await one.admin.register({ identifier: 'mover', name: 'Mover', databaseUrl: own });
    // Instance two caches the tenant and its DataSource on the original URL.
    const before = await whereAmI(two, await two.store.getByIdentifier('mover'));
    expect(before).toEqual({ name: moved(), app: expect.not.stringMatching(/^rotated$/) });
    await one.admin.update(registered.id, { databaseUrl: `${own}?application_name=rotated` });
    expect(await dropped(two, 'mover')).toBe(true);
    const fresh = await two.store.getByIdentifier('mover');
    expect(await whereAmI(two, fresh)).toEqual({ name: moved(), app: 'rotated' });
  });
});

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
    return ((await ds.query('SELECT current_database() AS name')) as Array<{ name: string }>)[0].name;
  };

  it('a new databaseUrl set through one instance is served by the other', async () => {
    const registered = await one.admin.register({ identifier: 'mover', name: 'Mover' });
    // Instance two caches the tenant and its DataSource on the original database.
    expect(await whereAmI(two, await two.store.getByIdentifier('mover'))).toBe(`${dbPrefix()}mover`);
    await pgAdmin(withDatabase(db.adminUrl, moved()), 'SELECT 1'); // the target exists
    await one.admin.update(registered.id, { databaseUrl: withDatabase(db.adminUrl, moved()) });
    expect(await dropped(two, 'mover')).toBe(true);
    const fresh = await two.store.getByIdentifier('mover');
    expect(await whereAmI(two, fresh)).toBe(moved());
  });
});

import { TenantConnectionManager, type Tenant, type TenancyModuleOptions } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, pgAdmin, usePostgresDatabase, withDatabase } from '../support';
import { bootAdmin, databaseTemplate, dropDatabases, type AdminApp } from './support/admin-app';

/**
 * Issue 18 item 2: a cached database-per-tenant DataSource is checked against the tenant's
 * current placement (strategy + databaseUrl) on every acquire, so a move made elsewhere (another
 * instance, an admin process) is never served from the old database, whether or not an
 * invalidation message reached this instance.
 */
describeWith('postgres', 'cached DataSources follow the tenant placement (no message needed)', () => {
  const db = usePostgresDatabase();
  const dbPrefix = () => `pc${db.name.slice(-6)}_`;
  const moved = () => `${dbPrefix()}moved`;
  let admin: AdminApp;
  let server: AdminApp;
  beforeAll(async () => {
    await pgAdmin(db.adminUrl, `CREATE DATABASE "${moved()}"`);
    const options: TenancyModuleOptions = {
      databaseUrl: db.url,
      isolationStrategy: 'database',
      databaseUrlTemplate: databaseTemplate(db.adminUrl),
      databasePrefix: dbPrefix(),
      entities: [Order, Customer],
      poolSize: 2,
    };
    admin = await bootAdmin(options); // the process that moves tenants
    server = await bootAdmin({ ...options, cacheEnabled: false }); // reads the store, hears no message
  });
  afterAll(async () => {
    await admin?.close();
    await server?.close();
    await dropDatabases(db.adminUrl, dbPrefix());
  });

  const whereAmI = async (instance: AdminApp, tenant: Tenant) => {
    const ds = await instance.ref.get(TenantConnectionManager).getDataSource(tenant);
    return ((await ds.query('SELECT current_database() AS name')) as Array<{ name: string }>)[0].name;
  };

  it('a tenant moved by another process is served from its new database, never from the old one', async () => {
    const registered = await admin.admin.register({ identifier: 'wanderer', name: 'Wanderer' });
    expect(await whereAmI(server, await server.store.getByIdentifier('wanderer'))).toBe(`${dbPrefix()}wanderer`);
    // A move written to the registry by another process (update() refuses moves since issue 19:
    // they go through promotion, which writes the placement the same way).
    await admin.store.update(registered.id, { databaseUrl: withDatabase(db.adminUrl, moved()) });
    const fresh = await server.store.getByIdentifier('wanderer');
    expect(fresh.databaseUrl).toBe(withDatabase(db.adminUrl, moved()));
    expect(await whereAmI(server, fresh)).toBe(moved());
    // And back: the entry is replaced again, never answered from the database it left.
    await admin.store.update(registered.id, { databaseUrl: withDatabase(db.adminUrl, `${dbPrefix()}wanderer`) });
    expect(await whereAmI(server, await server.store.getByIdentifier('wanderer'))).toBe(`${dbPrefix()}wanderer`);
  });
});

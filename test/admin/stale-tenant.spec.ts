import { TenantConnectionManager, TenantContext, TenancyError } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, usePostgresDatabase } from '../support';
import { bootAdmin, type AdminApp } from './support/admin-app';

/**
 * Issue 12 item 4: a tenant object that outlived its tenant (deleted and re-registered under the
 * same identifier, or no longer active) is refused where a caller supplies it.
 */
describeWith('postgres', 'stale tenant objects are refused (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  let app: AdminApp;
  beforeAll(async () => {
    app = await bootAdmin({ databaseUrl: db.url, schemaPrefix: 'st_', entities: [Order, Customer], poolSize: 3 });
  });
  afterAll(() => app?.close());

  it('a deleted and re-registered identifier: the old object reaches nothing; the new one works', async () => {
    const manager = app.ref.get(TenantConnectionManager);
    const context = app.ref.get(TenantContext);
    const old = await app.admin.register({ identifier: 'reborn', name: 'Old' });
    await app.admin.delete(old.id, { hard: true });
    const fresh = await app.admin.register({ identifier: 'reborn', name: 'New' });
    await expect(manager.getDataSource(old)).rejects.toThrow(TenancyError);
    await expect(manager.getDataSource(old)).rejects.toThrow(/no longer the active tenant "reborn"/);
    await expect(context.run(old, () => manager.getEntityManager())).rejects.toThrow(/no longer the active/);
    await expect(context.run(old, () => manager.transaction(async () => 1))).rejects.toThrow(/no longer the active/);
    const ds = await manager.getDataSource(fresh);
    expect(await ds.getRepository(Order).count()).toBe(0);
    expect(await context.run(fresh, async () => (await manager.getEntityManager()).getRepository(Order).count())).toBe(
      0,
    );
  });

  it('a suspended tenant object is refused too', async () => {
    const manager = app.ref.get(TenantConnectionManager);
    const tenant = await app.admin.register({ identifier: 'dozing', name: 'D' });
    await app.admin.suspend(tenant.id);
    await expect(manager.getDataSource(tenant)).rejects.toThrow(/no longer the active tenant "dozing"/);
  });
});

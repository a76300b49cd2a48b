import type { TenancyModuleOptions, Tenant, TenantIsolation } from 'nestjs-tenancy';
import { TenantAlreadyExistsError, TenantConnectionManager, TenantNotFoundError } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, pgAdmin, uniqueToken, useOrdinaryRole, usePostgresDatabase } from '../support';
import {
  bootAdmin,
  databaseExists,
  physical,
  schemaExists,
  tenantRows,
  useTenantPlacement,
  type AdminApp,
} from './support/admin-app';

// RLS first: its ordinary role then owns the shared tables the superuser runs can also use.
const strategies: TenantIsolation[] = ['rls', 'schema', 'database'];

describeWith('postgres', 'TenantAdminService lifecycle: soft and hard delete per strategy (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const placement = useTenantPlacement(db, 'lc');
  const { dbPrefix } = placement;

  const options = (strategy: TenantIsolation): TenancyModuleOptions => ({
    ...placement.options(),
    databaseUrl: strategy === 'rls' ? role.url : db.url,
    isolationStrategy: strategy,
    entities: [Order, Customer],
    poolSize: 3,
  });

  describe.each(strategies)('%s', (strategy) => {
    let app: AdminApp;
    let connections: TenantConnectionManager;
    const A = `${strategy}-life-a`;
    const B = `${strategy}-life-b`;
    let a: Tenant;
    let b: Tenant;

    /** Rows of `orders` the tenant holds, read as the superuser (bypassing every layer). */
    const orderCount = async (tenant: Tenant): Promise<number | null> => {
      if (strategy === 'rls')
        return Number(
          (await pgAdmin(db.url, `SELECT count(*) AS n FROM public.orders WHERE tenant_id = '${tenant.id}'`))[0].n,
        );
      if (strategy === 'schema') {
        if (!(await schemaExists(db.url, physical('lc_', tenant.identifier)))) return null;
        return Number(
          (await pgAdmin(db.url, `SELECT count(*) AS n FROM "${physical('lc_', tenant.identifier)}".orders`))[0].n,
        );
      }
      const name = physical(dbPrefix(), tenant.identifier);
      if (!(await databaseExists(db.adminUrl, name))) return null;
      return Number((await pgAdmin(db.url.replace(db.name, name), 'SELECT count(*) AS n FROM orders'))[0].n);
    };
    const seed = async (tenant: Tenant, label: string) => {
      const ds = await connections.getDataSource(tenant);
      // A customer referenced by the order: a hard delete must handle the foreign key.
      const customer = await ds.getRepository(Customer).save({ email: `${label}@x.test` });
      await ds.getRepository(Order).save({ label, customer });
    };

    beforeAll(async () => {
      app = await bootAdmin(options(strategy));
      connections = app.ref.get(TenantConnectionManager);
      a = await app.admin.register({ identifier: A, name: 'Tenant A' });
      b = await app.admin.register({ identifier: B, name: 'Tenant B', metadata: { plan: 'gold' } });
      await seed(a, 'a-1');
      await seed(b, 'b-1');
    });
    afterAll(async () => {
      for (const t of (await app?.admin.list()) ?? []) await app.admin.delete(t.id, { hard: true });
      await app?.close();
    });

    it('register returns the active tenant with its placement', () => {
      expect(a).toMatchObject({
        identifier: A,
        name: 'Tenant A',
        status: 'active',
        isolationStrategy: strategy,
        tier: 'standard',
      });
      expect(b.metadata).toEqual({ plan: 'gold' });
    });

    it('get by id or identifier, list by status and page, update', async () => {
      expect((await app.admin.get(a.id)).identifier).toBe(A);
      expect((await app.admin.get(B)).id).toBe(b.id);
      await expect(app.admin.get('nobody-here')).rejects.toBeInstanceOf(TenantNotFoundError);
      expect((await app.admin.list()).map((t) => t.identifier)).toEqual([A, B]);
      expect((await app.admin.list({ offset: 1, limit: 1 })).map((t) => t.identifier)).toEqual([B]);
      const renamed = await app.admin.update(B, { name: 'Tenant B2' });
      expect(renamed.name).toBe('Tenant B2');
      expect((await app.admin.get(b.id)).name).toBe('Tenant B2');
    });

    it('suspend and activate change the status and evict cached connection resources', async () => {
      await connections.getDataSource(a);
      const before = app.ref.get(TenantConnectionManager).getMetrics();
      expect((await app.admin.suspend(A)).status).toBe('suspended');
      const after = connections.getMetrics();
      if (strategy === 'database') expect(after.dataSources.cached).toBe(before.dataSources.cached - 1);
      else expect(after.views).toBe(before.views - 1);
      expect((await app.admin.list({ status: 'suspended' })).map((t) => t.identifier)).toEqual([A]);
      expect((await app.admin.activate(a.id)).status).toBe('active');
      const metrics = await app.admin.getMetrics();
      expect(metrics.tenants).toEqual({ byStatus: { active: 2, suspended: 0, deleted: 0, provisioning: 0 } });
      // The shared pool served the store and the tenants above, and stays within poolSize (3).
      expect(metrics.pool.total).toBeGreaterThan(0);
      expect(metrics.pool.total).toBeLessThanOrEqual(3);
      expect(metrics.pool.idle).toBeLessThanOrEqual(metrics.pool.total);
      expect(metrics.pool.waiting).toBe(0);
    });

    it('soft delete keeps the data and the identifier; activate restores the tenant', async () => {
      await app.admin.delete(a.id);
      expect((await app.admin.get(A)).status).toBe('deleted');
      expect(await orderCount(a)).toBe(1);
      await expect(app.admin.register({ identifier: A, name: 'again' })).rejects.toBeInstanceOf(
        TenantAlreadyExistsError,
      );
      expect((await app.admin.activate(A)).status).toBe('active');
      expect(await orderCount(a)).toBe(1);
    });

    it("hard delete removes the tenant's storage (RLS: its rows) and its row, and nothing of the other tenant", async () => {
      await app.admin.delete(A, { hard: true });
      if (strategy === 'schema') expect(await schemaExists(db.url, physical('lc_', A))).toBe(false);
      if (strategy === 'database') expect(await databaseExists(db.adminUrl, physical(dbPrefix(), A))).toBe(false);
      expect(await orderCount(a)).toBe(strategy === 'rls' ? 0 : null);
      expect(await tenantRows(db.url, A)).toEqual([]);
      await expect(app.admin.get(A)).rejects.toBeInstanceOf(TenantNotFoundError);
      expect(await orderCount(b)).toBe(1);
      expect((await app.admin.get(B)).status).toBe('active');
      // The identifier is free again.
      expect((await app.admin.register({ identifier: A, name: 'A again' })).status).toBe('active');
      expect(await orderCount(await app.admin.get(A))).toBe(0);
    });
  });

  describeWith('redis', 'with the Redis-backed cache on two instances', () => {
    it('a suspension through one instance is seen by the other', async () => {
      const shared = { ...options('schema'), redisUrl: 'redis://127.0.0.1:6379', schemaPrefix: 'lx_' };
      const one = await bootAdmin(shared);
      const two = await bootAdmin(shared);
      try {
        const id = `cache-${uniqueToken()}`;
        await one.admin.register({ identifier: id, name: 'C' });
        expect((await two.store.getByIdentifier(id)).status).toBe('active'); // now cached in two
        await one.admin.suspend(id);
        const deadline = Date.now() + 3000;
        let seen = 'active';
        while (seen !== 'suspended' && Date.now() < deadline) {
          seen = (await two.store.getByIdentifier(id)).status;
          if (seen !== 'suspended') await new Promise((r) => setTimeout(r, 25));
        }
        expect(seen).toBe('suspended');
        await one.admin.delete(id, { hard: true });
      } finally {
        await one.close();
        await two.close();
      }
    });
  });
});

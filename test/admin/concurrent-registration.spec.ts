import type { TenantIsolation } from 'nestjs-tenancy';
import { TenantAlreadyExistsError, TenantConnectionManager } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, usePostgresDatabase } from '../support';
import {
  bootAdmin,
  databaseExists,
  physical,
  schemaExists,
  tenantRows,
  useTenantPlacement,
  type AdminApp,
} from './support/admin-app';

describeWith('postgres', 'concurrent registration of one identifier (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const placement = useTenantPlacement(db, 'cr');
  const { dbPrefix } = placement;

  describe.each<TenantIsolation>(['schema', 'database'])('%s', (strategy) => {
    let apps: AdminApp[] = [];
    beforeAll(async () => {
      const options = {
        ...placement.options(),
        isolationStrategy: strategy,
        entities: [Order, Customer],
        poolSize: 4,
      };
      // Two instances, as two app servers would race.
      apps = [await bootAdmin(options), await bootAdmin(options)];
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
    });

    it('10 parallel registers: exactly one wins, the others get TenantAlreadyExistsError, the winner is intact', async () => {
      const identifier = `${strategy}-race`;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => apps[i % 2].admin.register({ identifier, name: `attempt ${i}` })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(9);
      for (const l of lost) expect(l.reason).toBeInstanceOf(TenantAlreadyExistsError);

      const winner = (won[0] as PromiseFulfilledResult<{ id: string; name: string }>).value;
      const rows = await tenantRows(db.url, identifier);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: winner.id, name: winner.name, status: 'active' });
      if (strategy === 'schema') expect(await schemaExists(db.url, physical('cr_', identifier))).toBe(true);
      else expect(await databaseExists(db.adminUrl, physical(dbPrefix(), identifier))).toBe(true);
      // The winner's tables are there and usable.
      const tenant = await apps[1].admin.get(identifier);
      expect(tenant.status).toBe('active');
      const ds = await apps[1].ref.get(TenantConnectionManager).getDataSource(tenant);
      await ds.getRepository(Order).save({ label: 'after the race' });
      expect(await ds.getRepository(Order).count()).toBe(1);
      expect(await apps[0].admin.migrationStatus({ tenants: [identifier] })).toEqual([
        { tenant: identifier, status: 'active', isolationStrategy: strategy, applied: [], pending: [] },
      ]);
    });
  });
});

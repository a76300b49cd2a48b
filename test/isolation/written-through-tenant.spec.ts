import { TenantConnectionManager, TenantContext, type Tenant, type TenantIsolation } from 'nestjs-tenancy';
import { describeWith, useOrdinaryRole, usePostgresDatabase } from '../support';
import { Client } from './support/entity-paths.fixture';
import { bootEntityPaths, type EntityPathsApp } from './support/entity-paths-app';

const strategies: TenantIsolation[] = ['rls', 'schema', 'database'];

describeWith('postgres', 'issue 11 item 12: the DataSource a row is written through decides its tenant_id', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);

  describe.each(strategies)('%s', (strategy) => {
    let t: EntityPathsApp;
    let connections: TenantConnectionManager;
    let a: Tenant;
    let b: Tenant;
    const inScopeOf = <T>(tenant: Tenant, fn: () => Promise<T>): Promise<T> => t.app.get(TenantContext).run(tenant, fn);
    /** tenant_id of a row of B, read back through B. */
    const labelInB = async (id: number) =>
      (await (await connections.getEntityManager(b)).getRepository(Client).findOneByOrFail({ id })).tenantId;

    beforeAll(async () => {
      t = await bootEntityPaths(strategy, { db, role }, [`${strategy}-wt-a`, `${strategy}-wt-b`]);
      connections = t.app.get(TenantConnectionManager);
      [a, b] = Object.values(t.tenants);
    });
    afterAll(() => t?.close());

    it('save through another tenant’s EntityManager inside a request labels the row with that tenant', async () => {
      const saved = await inScopeOf(a, async () => {
        const repo = (await connections.getEntityManager(b)).getRepository(Client);
        return repo.save(repo.create({ name: 'written-for-b' }));
      });
      expect(saved.tenantId).toBe(b.id);
      expect(await labelInB(saved.id)).toBe(b.id);
    });

    it('a caller-supplied tenantId of another tenant is overwritten (save, query-builder insert, update)', async () => {
      const { saved, inserted } = await inScopeOf(b, async () => {
        const em = await connections.getEntityManager(b);
        const viaSave = await em.getRepository(Client).save({ name: 'forged', tenantId: a.id });
        const result = await em
          .createQueryBuilder()
          .insert()
          .into(Client)
          .values({ name: 'forged-qb', tenantId: a.id })
          .returning('id')
          .execute();
        viaSave.tenantId = a.id;
        await em.getRepository(Client).save(viaSave); // an update forging the label
        return { saved: viaSave, inserted: Number((result.raw as Array<{ id: number }>)[0].id) };
      });
      expect(await labelInB(saved.id)).toBe(b.id);
      expect(await labelInB(inserted)).toBe(b.id);
    });

    it('outside any request scope, a write through a tenant DataSource is labelled with that tenant', async () => {
      const repo = (await connections.getDataSource(b)).getRepository(Client);
      const saved = await repo.save(repo.create({ name: 'job-write' }));
      expect(await labelInB(saved.id)).toBe(b.id);
    });
  });
});

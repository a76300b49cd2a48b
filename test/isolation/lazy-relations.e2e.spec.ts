import { TenantContext, TenantContextMissingError, type TenantIsolation } from 'nestjs-tenancy';
import { describeWith, useOrdinaryRole, usePostgresDatabase } from '../support';
import { EntityPathsService, constructedInvoice } from './support/entity-paths.fixture';
import { bootEntityPaths, type EntityPathsApp } from './support/entity-paths-app';

// RLS first: its ordinary role then owns the shared tables.
const strategies: TenantIsolation[] = ['rls', 'schema', 'database'];

describeWith('postgres', 'issue 11 item 7: lazy relations and RelationQueryBuilder load the tenant’s rows', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  beforeAll(() => process.on('unhandledRejection', onRejection));
  afterAll(() => process.off('unhandledRejection', onRejection));

  describe.each(strategies)('%s', (strategy) => {
    let t: EntityPathsApp;
    const A = `${strategy}-lz-a`;
    const B = `${strategy}-lz-b`;
    const seeded: Record<string, { client: number; invoices: number[] }> = {};

    beforeAll(async () => {
      t = await bootEntityPaths(strategy, { db, role }, [A, B]);
      for (const id of [A, B]) seeded[id] = (await t.post(id, '/lazy/seed', { name: id }).expect(201)).body;
      rejections.length = 0;
    });
    afterAll(() => t?.close());
    afterEach(async () => {
      await new Promise((resolve) => setImmediate(resolve)); // let a stray rejection surface
      expect(rejections).toEqual([]);
    });

    it('await invoice.client (ManyToOne, lazy) loads the tenant’s client', async () => {
      for (const id of [A, B]) {
        const res = await t.get(id, `/lazy/invoices/${seeded[id].invoices[0]}/client`).expect(200);
        expect(res.body).toEqual({ client: id });
      }
    });

    it('await client.invoices (OneToMany, lazy) loads the tenant’s invoices only', async () => {
      for (const id of [A, B]) {
        const res = await t.get(id, `/lazy/clients/${seeded[id].client}/invoices`).expect(200);
        expect(res.body).toEqual({ invoices: [`${id}-1`, `${id}-2`] });
      }
    });

    it('entities TypeORM did not load (repository.create, new Entity) load through the current tenant', async () => {
      for (const id of [A, B]) {
        const res = await t.get(id, `/lazy/created/${seeded[id].invoices[1]}/client`).expect(200);
        expect(res.body).toEqual({ created: id, constructed: id });
      }
    });

    it('RelationQueryBuilder loadOne / loadMany load the tenant’s rows', async () => {
      for (const id of [A, B]) {
        const res = await t.get(id, `/lazy/rqb/${seeded[id].invoices[0]}/${seeded[id].client}`).expect(200);
        expect(res.body).toEqual({ one: id, many: [`${id}-1`, `${id}-2`] });
      }
    });

    it('another tenant’s ids load nothing (the SQL is the tenant’s, not a shared one)', async () => {
      if (seeded[B].invoices[0] === seeded[A].invoices[0]) {
        // Separate schemas/databases number rows alike: ids name the tenant's own rows.
        const res = await t.get(A, `/lazy/rqb/${seeded[B].invoices[0]}/${seeded[B].client}`).expect(200);
        expect(res.body).toEqual({ one: A, many: [`${A}-1`, `${A}-2`] });
        return;
      }
      const res = await t.get(A, `/lazy/rqb/${seeded[B].invoices[0]}/${seeded[B].client}`).expect(200);
      expect(res.body).toEqual({ one: null, many: [] });
    });

    it('an entity read in a tenant’s scope loads through that tenant after it; in another tenant’s scope it is refused', async () => {
      const context = t.app.get(TenantContext);
      const invoice = await context.run(t.tenants[B], async () => {
        const found = await t.app.get(EntityPathsService).invoices.findOneByOrFail({ id: seeded[B].invoices[0] });
        return found;
      });
      await expect(context.run(t.tenants[A], () => invoice.client)).rejects.toThrow(/awaited in the scope of tenant/);
      await expect(invoice.client).resolves.toMatchObject({ name: B });
    });

    it('outside a tenant, an entity with no known tenant rejects with TenantContextMissingError (handled)', async () => {
      const orphan = constructedInvoice(seeded[A].invoices[0]);
      await expect(orphan.client).rejects.toThrow(TenantContextMissingError);
      // The failure is not cached: inside a tenant the same entity loads.
      await expect(t.app.get(TenantContext).run(t.tenants[A], () => orphan.client)).resolves.toMatchObject({ name: A });
    });
  });
});

import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { TenantIsolation } from 'nestjs-tenancy';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { databaseTemplate, describeWith, pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';
import { bootApp, provisionTenant } from '../support/tenancy-app';

// RLS first: its ordinary role then owns the shared tenants table the superuser runs can also read.
const strategies: TenantIsolation[] = ['rls', 'schema', 'database'];

describeWith('postgres', 'isolation through @InjectTenantRepository over HTTP (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);

  describe.each(strategies)('%s', (strategy) => {
    let app: INestApplication;
    const prefix = `i${strategy.slice(0, 2)}_`;
    const http = (tenant: string) => ({
      get: (path: string) => request(app.getHttpServer()).get(path).set('X-Tenant-ID', tenant),
      post: (path: string, body: object) =>
        request(app.getHttpServer()).post(path).set('X-Tenant-ID', tenant).send(body),
      patch: (path: string, body: object) =>
        request(app.getHttpServer()).patch(path).set('X-Tenant-ID', tenant).send(body),
      delete: (path: string) => request(app.getHttpServer()).delete(path).set('X-Tenant-ID', tenant),
    });
    const A = `${strategy}-a`;
    const B = `${strategy}-b`;
    let aOrder: number;
    let bOrder: number;

    beforeAll(async () => {
      const url = strategy === 'rls' ? role.url : db.url;
      app = await bootApp(
        ordersAppModule({
          databaseUrl: url,
          isolationStrategy: strategy,
          databaseUrlTemplate: databaseTemplate(db.adminUrl),
          databasePrefix: `${prefix}${db.name.slice(-6)}_`,
          schemaPrefix: prefix,
          entities: [Order, Customer],
          poolSize: 2,
          cacheEnabled: false,
        }),
      );
      await provisionTenant(app, A, strategy);
      await provisionTenant(app, B, strategy);
      aOrder = (await http(A).post('/orders', { label: 'a-1', email: 'x@a.test' }).expect(201)).body.id;
      bOrder = (await http(B).post('/orders', { label: 'b-1', email: 'x@b.test' }).expect(201)).body.id;
    });
    afterAll(async () => {
      await app?.close();
      if (strategy === 'database') {
        const rows = await pgAdmin(db.adminUrl, `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`);
        for (const r of rows) await pgAdmin(db.adminUrl, `DROP DATABASE IF EXISTS "${String(r.datname)}" WITH (FORCE)`);
      }
    });

    it('find and findOneBy(id) see only the tenant rows', async () => {
      expect((await http(A).get('/orders').expect(200)).body.map((o: Order) => o.label)).toEqual(['a-1']);
      expect((await http(B).get('/orders').expect(200)).body.map((o: Order) => o.label)).toEqual(['b-1']);
      // RLS shares one id sequence (B's first row has an id A lacks); schema and database tenants
      // each start at 1, so B's first id is A's own: A sees its row, never B's.
      expect(aOrder === bOrder).toBe(strategy !== 'rls');
      const sameIdAsB = (await http(A).get(`/orders/${bOrder}`).expect(200)).body.order as Order | null;
      expect(sameIdAsB?.label ?? null).toBe(strategy === 'rls' ? null : 'a-1');
      expect((await http(A).get(`/orders/${aOrder}`).expect(200)).body.order.label).toBe('a-1');
    });

    it('query builder, relations and joins stay in the tenant', async () => {
      expect((await http(A).get('/orders/qb')).body.map((o: Order) => o.label)).toEqual(['a-1']);
      const joined = (await http(B).get('/orders/join')).body as Order[];
      expect(joined.map((o) => [o.label, o.customer?.email])).toEqual([['b-1', 'x@b.test']]);
      const customers = (await http(A).get('/orders/join-builder')).body as Customer[];
      expect(customers.map((c) => c.email)).toEqual(['x@a.test']);
    });

    it('raw query() through the DataSource and the EntityManager is scoped', async () => {
      expect((await http(A).get('/orders/raw').expect(200)).body).toEqual([{ label: 'a-1' }]);
      expect((await http(B).get('/orders/raw-manager').expect(200)).body).toEqual([{ label: 'b-1' }]);
    });

    it("update and delete by id never touch the other tenant's row", async () => {
      // B's second row: under every strategy A has no row with its id (A holds one row: id 1, or
      // the shared sequence's first value under RLS).
      const bSecond = (await http(B).post('/orders', { label: 'b-2' }).expect(201)).body.id as number;
      expect((await http(A).get(`/orders/${bSecond}`).expect(200)).body.order).toBeNull();
      expect((await http(A).patch(`/orders/${bSecond}`, { label: 'hacked' }).expect(200)).body).toEqual({
        affected: 0,
      });
      expect((await http(A).delete(`/orders/${bSecond}`).expect(200)).body).toEqual({ affected: 0 });
      expect((await http(B).get(`/orders/${bSecond}`).expect(200)).body.order.label).toBe('b-2');

      // A's second row: schema and database tenants count ids on their own, so it takes the id of
      // B's second row; RLS's shared sequence never repeats one. Either way only A's row changes.
      const aSecond = (await http(A).post('/orders', { label: 'a-2' }).expect(201)).body.id as number;
      expect(aSecond === bSecond).toBe(strategy !== 'rls');
      expect((await http(A).patch(`/orders/${aSecond}`, { label: 'a-2x' }).expect(200)).body).toEqual({ affected: 1 });
      expect((await http(A).get(`/orders/${aSecond}`).expect(200)).body.order.label).toBe('a-2x');
      expect((await http(B).get(`/orders/${bSecond}`).expect(200)).body.order.label).toBe('b-2');
      expect((await http(A).delete(`/orders/${aSecond}`).expect(200)).body).toEqual({ affected: 1 });
      expect((await http(A).get('/orders')).body.map((o: Order) => o.label)).toEqual(['a-1']);
      expect((await http(B).get('/orders')).body.map((o: Order) => o.label)).toEqual(['b-1', 'b-2']);

      expect((await http(B).delete(`/orders/${bSecond}`).expect(200)).body).toEqual({ affected: 1 });
      expect((await http(B).get('/orders')).body.map((o: Order) => o.label)).toEqual(['b-1']);
    });

    it('upsert stays in the tenant', async () => {
      const a = (await http(A).post('/orders/upsert-customer', { email: 'shared@x.test' }).expect(201))
        .body as Customer[];
      const b = (await http(B).post('/orders/upsert-customer', { email: 'shared@x.test' }).expect(201))
        .body as Customer[];
      expect(a.map((c) => c.email)).toEqual(['x@a.test', 'shared@x.test']);
      expect(b.map((c) => c.email)).toEqual(['x@b.test', 'shared@x.test']);
    });

    it('a transaction that throws rolls back, nested repository calls included', async () => {
      await http(A).post('/orders/fail', { label: 'doomed' }).expect(500);
      expect((await http(A).get('/orders')).body.map((o: Order) => o.label)).toEqual(['a-1']);
    });

    it('@CurrentTenant() gives the resolved tenant', async () => {
      expect((await http(B).get('/orders/whoami')).body).toEqual({ identifier: B });
    });
  });
});

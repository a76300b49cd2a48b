import { TenantConnectionManager, TenantContextMissingError, type TenantIsolation } from 'nestjs-tenancy';
import { describeWith, useOrdinaryRole, usePostgresDatabase } from '../support';
import { Memo } from './support/entity-paths.fixture';
import { bootEntityPaths, type EntityPathsApp } from './support/entity-paths-app';

const strategies: TenantIsolation[] = ['rls', 'schema', 'database'];

describeWith('postgres', 'issue 11 item 6: active-record entities act for the current tenant', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);

  describe.each(strategies)('%s', (strategy) => {
    let t: EntityPathsApp;
    const ids = [`${strategy}-ar-a`, `${strategy}-ar-b`, `${strategy}-ar-c`];

    beforeAll(async () => {
      t = await bootEntityPaths(strategy, { db, role }, ids);
    });
    afterAll(() => t?.close());

    it('concurrent requests of several tenants: instance save, static save, find, createQueryBuilder', async () => {
      await Promise.all(
        ids.flatMap((id) => [
          t.post(id, '/memos', { body: `${id}-instance` }).expect(201),
          t.post(id, '/memos/static', { body: `${id}-static` }).expect(201),
        ]),
      );
      const lists = await Promise.all(ids.flatMap((id) => [t.get(id, '/memos'), t.get(id, '/memos/qb')]));
      ids.forEach((id, i) => {
        for (const res of [lists[2 * i], lists[2 * i + 1]]) {
          expect(res.status).toBe(200);
          expect([...(res.body as string[])].sort()).toEqual([`${id}-instance`, `${id}-static`]);
        }
      });
    });

    it('instance remove() deletes in the current tenant only', async () => {
      const [first] = ids;
      const memo = await t.post(first, '/memos', { body: `${first}-doomed` }).expect(201);
      await Promise.all(ids.map((id) => t.post(id, '/memos', { body: `${id}-kept` }).expect(201)));
      expect((await t.del(first, `/memos/${memo.body.id}`).expect(200)).body).toEqual({ removed: true });
      for (const id of ids) {
        const body = (await t.get(id, '/memos').expect(200)).body as string[];
        expect(body).toContain(`${id}-kept`);
        expect(body).not.toContain(`${first}-doomed`);
      }
    });

    it('a later DataSource built for the entities (useDataSource) does not take active record over', async () => {
      const [first, second] = ids;
      const other = await t.app.get(TenantConnectionManager).getDataSource(t.tenants[second]);
      Memo.useDataSource(other);
      const body = (await t.get(first, '/memos').expect(200)).body as string[];
      expect(body.every((b) => b.startsWith(`${first}-`))).toBe(true);
    });

    it('outside a tenant, active record throws TenantContextMissingError', () => {
      expect(() => Memo.find()).toThrow(TenantContextMissingError);
      expect(() => Memo.create({ body: 'x' })).toThrow(TenantContextMissingError);
    });
  });
});

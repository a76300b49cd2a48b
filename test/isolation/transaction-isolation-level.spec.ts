import { TenancyError, TenantContext, type TenantIsolation } from 'nestjs-tenancy';
import type { EntityManager } from 'typeorm';
import { describeWith, useOrdinaryRole, usePostgresDatabase } from '../support';
import { EntityPathsService } from './support/entity-paths.fixture';
import { bootEntityPaths, type EntityPathsApp } from './support/entity-paths-app';

const strategies: TenantIsolation[] = ['rls', 'schema', 'database'];
const LEVEL = "SELECT current_setting('transaction_isolation') AS level";
const levelIn = async (em: EntityManager): Promise<string> =>
  ((await em.query(LEVEL)) as Array<{ level: string }>)[0].level;

describeWith('postgres', 'issue 11 item 14: transactions keep their isolation level', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);

  describe.each(strategies)('%s', (strategy) => {
    let t: EntityPathsApp;
    let service: EntityPathsService;
    const run = <T>(fn: () => Promise<T>): Promise<T> =>
      t.app.get(TenantContext).run(t.tenants[`${strategy}-tx-a`], fn);

    beforeAll(async () => {
      t = await bootEntityPaths(strategy, { db, role }, [`${strategy}-tx-a`]);
      service = t.app.get(EntityPathsService);
    });
    afterAll(() => t?.close());

    it('the injected EntityManager: transaction("SERIALIZABLE", fn)', async () => {
      await expect(run(() => service.em.transaction('SERIALIZABLE', levelIn))).resolves.toBe('serializable');
      await expect(run(() => service.em.transaction('REPEATABLE READ', levelIn))).resolves.toBe('repeatable read');
      await expect(run(() => service.em.transaction(levelIn))).resolves.toBe('read committed');
    });

    it('the injected DataSource: transaction("SERIALIZABLE", fn)', async () => {
      await expect(run(() => service.ds.transaction('SERIALIZABLE', levelIn))).resolves.toBe('serializable');
    });

    it('TenantConnectionManager.transaction(level, fn)', async () => {
      await expect(run(() => service.connections.transaction('SERIALIZABLE', levelIn))).resolves.toBe('serializable');
    });

    it('a nested call asking for another level than the open transaction’s is refused, not silently joined', async () => {
      const nested = run(() =>
        service.em.transaction('READ COMMITTED', () => service.em.transaction('SERIALIZABLE', levelIn)),
      );
      await expect(nested).rejects.toThrow(TenancyError);
      await expect(
        run(() => service.em.transaction('SERIALIZABLE', () => service.em.transaction('SERIALIZABLE', levelIn))),
      ).resolves.toBe('serializable');
    });
  });
});

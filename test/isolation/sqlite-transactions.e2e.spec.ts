import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TenantConnectionManager, TenantContext, type Tenant, type TenantIsolation } from 'nestjs-tenancy';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { bootApp, provisionTenant } from '../support/tenancy-app';

/**
 * better-sqlite3 is one connection per file: every runner shares its transaction state. Issue 11
 * item 4: transactions of different tenants (schema mode, one file) or of one tenant (database
 * mode, a file per tenant) interleaved on it. Here the interleaving is forced (a yield between
 * statements); each unit of work must end exactly as if it had run alone.
 */
describe('SQLite: transactions on the one connection are atomic and isolated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-sqlite-tx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function boot(name: string, isolationStrategy: TenantIsolation) {
    return bootApp(
      ordersAppModule({
        databaseUrl: `sqlite:${join(dir, `${name}-master.sqlite`)}`,
        databaseUrlTemplate: `sqlite:${join(dir, `${name}-{database_name}.sqlite`)}`,
        entities: [Order, Customer],
        cacheEnabled: false,
        isolationStrategy,
      }),
    );
  }

  /** Runs `fn` for `tenant` with a yield between statements; resolves to its outcome. */
  function unitOfWork(app: INestApplication, tenant: Tenant, labels: string[], fail: boolean, tx = true) {
    const connections = app.get(TenantConnectionManager);
    const work = async () => {
      const write = async (label: string) => {
        const em = await connections.getEntityManager(tenant);
        await em.getRepository(Order).save({ label });
        await sleep(5);
      };
      for (const label of labels) await write(label);
      if (fail) throw new Error(`${tenant.identifier} fails on purpose`);
    };
    const run = tx ? () => connections.transaction(work, tenant) : work;
    return app
      .get(TenantContext)
      .run(tenant, run)
      .then(
        () => 'ok',
        (error: Error) => error.message,
      );
  }

  async function labels(app: INestApplication, tenant: Tenant): Promise<string[]> {
    const ds = await app.get(TenantConnectionManager).getDataSource(tenant);
    return (await ds.getRepository(Order).find({ order: { id: 'ASC' } })).map((o) => o.label);
  }

  describe('schema mode (a table prefix per tenant, one shared file)', () => {
    let app: INestApplication;
    const tenants: Tenant[] = [];
    beforeAll(async () => {
      app = await boot('schema', 'schema');
      for (const t of ['tx-a', 'tx-b', 'tx-c', 'tx-d']) tenants.push(await provisionTenant(app, t, 'schema'));
    });
    afterAll(() => app?.close());

    it('three tenants transact concurrently, one fails: each outcome is as if alone', async () => {
      const [a, b, c, d] = tenants;
      const outcomes = await Promise.all([
        unitOfWork(app, a, ['a1', 'a2', 'a3'], false),
        unitOfWork(app, b, ['b1', 'b2'], true),
        unitOfWork(app, c, ['c1', 'c2', 'c3'], false),
        unitOfWork(app, d, ['d1', 'd2'], false, false), // autocommit writes meanwhile
      ]);
      expect(outcomes).toEqual(['ok', 'tx-b fails on purpose', 'ok', 'ok']);
      expect(await labels(app, a)).toEqual(['a1', 'a2', 'a3']);
      expect(await labels(app, b)).toEqual([]);
      expect(await labels(app, c)).toEqual(['c1', 'c2', 'c3']);
      expect(await labels(app, d)).toEqual(['d1', 'd2']);
    });

    it('a manual QueryRunner transaction holds the connection until commit; release rolls back', async () => {
      const [a, b] = tenants;
      const connections = app.get(TenantConnectionManager);
      const runner = (await connections.getDataSource(a)).createQueryRunner();
      await runner.startTransaction();
      await runner.manager.getRepository(Order).save({ label: 'manual' });
      const other = unitOfWork(app, b, ['b-after'], false, false);
      await sleep(20);
      await runner.release(); // never committed: rolled back, the connection is free again
      expect(await other).toBe('ok');
      expect(await labels(app, a)).not.toContain('manual');
      expect(await labels(app, b)).toEqual(['b-after']);
    });
  });

  describe('database mode (a file per tenant): two transactions of one tenant', () => {
    let app: INestApplication;
    let tenant: Tenant;
    beforeAll(async () => {
      app = await boot('database', 'database');
      tenant = await provisionTenant(app, 'tx-file', 'database');
    });
    afterAll(() => app?.close());

    it('one fails, the other commits, an autocommit write meanwhile survives', async () => {
      const outcomes = await Promise.all([
        unitOfWork(app, tenant, ['x1', 'x2', 'x3'], false),
        unitOfWork(app, tenant, ['y1', 'y2'], true),
        unitOfWork(app, tenant, ['z1'], false, false),
      ]);
      expect(outcomes).toEqual(['ok', 'tx-file fails on purpose', 'ok']);
      expect((await labels(app, tenant)).sort()).toEqual(['x1', 'x2', 'x3', 'z1']);
    });
  });
});

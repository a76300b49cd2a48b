import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { TenancyModuleOptions } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, mysqlAdmin, pgAdmin, useMysqlDatabase, usePostgresDatabase } from '../support';
import { bootAdmin, type AdminApp } from './support/admin-app';

/** Creates `ledger` (portable SQL). */
class CreateLedger1700000000201 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE ledger (note varchar(50) NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ledger');
  }
}

/** A data migration that takes a while: run twice, it would insert two rows. */
class SeedLedger1700000000202 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await new Promise((r) => setTimeout(r, 400));
    await q.query("INSERT INTO ledger (note) VALUES ('opening balance')");
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM ledger');
  }
}

/**
 * Issue 12 ("Make migrations usable") and issue 20 item 3: two instances running `migrate()` at
 * once apply each migration exactly once (a per-tenant lock), on PostgreSQL and MariaDB.
 */
describe('two instances migrating one tenant at once', () => {
  const run = async (options: TenancyModuleOptions): Promise<void> => {
    const setup = await bootAdmin({ ...options, migrations: [CreateLedger1700000000201] });
    await setup.admin.register({ identifier: 'ledger', name: 'L' });
    await setup.close();
    const apps: AdminApp[] = [];
    try {
      const all = { ...options, migrations: [CreateLedger1700000000201, SeedLedger1700000000202] };
      apps.push(await bootAdmin(all), await bootAdmin(all));
      const reports = await Promise.all(apps.map((a) => a.admin.migrate()));
      expect(reports.map((r) => r.failed)).toEqual([0, 0]);
      const applied = reports.flatMap((r) => r.results.flatMap((x) => x.applied));
      expect(applied).toEqual(['SeedLedger1700000000202']);
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
  };

  describeWith('postgres', 'PostgreSQL (schema per tenant, pg_advisory_lock)', () => {
    const db = usePostgresDatabase();
    it('the data migration runs once: one row', async () => {
      await run({
        databaseUrl: db.url,
        schemaPrefix: 'cm_',
        entities: [Order, Customer],
        cacheEnabled: false,
        poolSize: 3,
      });
      expect(await pgAdmin(db.url, 'SELECT note FROM cm_ledger.ledger')).toEqual([{ note: 'opening balance' }]);
    });
  });

  describeWith('mysql', 'MariaDB (database per tenant as schema, GET_LOCK)', () => {
    const db = useMysqlDatabase();
    it('the data migration runs once: one row', async () => {
      await run({
        databaseUrl: db.url,
        schemaPrefix: db.prefix,
        entities: [Order, Customer],
        cacheEnabled: false,
        poolSize: 2,
      });
      expect(await mysqlAdmin(db.url, `SELECT note FROM \`${db.prefix}ledger\`.ledger`)).toEqual([
        { note: 'opening balance' },
      ]);
    });
  });
});

import type { INestApplication } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { TenancyError } from 'nestjs-tenancy';
import type { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import { databaseNameFor } from '../../libs/tenancy/src/isolation/dialects/tenant-physical-names.util';
import { TENANCY_DATA_SOURCES } from '../../libs/tenancy/src/tenancy.constants';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { databaseTemplate, describeWith, serviceUrl, useMysqlDatabase } from '../support';
import { bootApp } from '../support/tenancy-app';
import { provisionTwoTenantOrders } from './support/orders-tenants';

interface MysqlConnection {
  query(sql: string, cb: (e: unknown, rows: unknown) => void): void;
}
/** The runner's mysql2 connection, straight (what raw SQL through the library cannot do). */
const onConnection = async (runner: QueryRunner, sql: string): Promise<Array<Record<string, unknown>>> => {
  const conn = (await runner.connect()) as MysqlConnection;
  return new Promise((ok, fail) => conn.query(sql, (e, r) => (e ? fail(e) : ok(r as Array<Record<string, unknown>>))));
};

/**
 * Issue 11 on MariaDB/MySQL database strategy (a DataSource and pool per tenant database): raw SQL
 * reaches only the tenant's own database, USE is refused, and every connection goes back to the
 * tenant's pool in the tenant's database with no transaction open (MariaDB 10.11 here).
 */
describeWith('mysql', 'MySQL database strategy: raw SQL stays in the tenant database', () => {
  const db = useMysqlDatabase();
  let app: INestApplication;
  let ds: DataSource;
  let tenantDb: string;
  let otherDb: string;
  const SQL = 'SELECT label FROM orders ORDER BY id';
  const mine = [{ label: 'a-1' }];

  beforeAll(async () => {
    const databasePrefix = db.prefix.replace(/_$/, 'd_');
    app = await bootApp(
      ordersAppModule({
        databaseUrl: db.url,
        databaseUrlTemplate: databaseTemplate(serviceUrl('mysql')),
        databasePrefix,
        entities: [Order, Customer],
        cacheEnabled: false,
        isolationStrategy: 'database',
        poolSize: 2,
      }),
    );
    const seeded = await provisionTwoTenantOrders(app, ['myd-a', 'myd-b'], 'database');
    ({ ds } = seeded);
    tenantDb = databaseNameFor(databasePrefix, seeded.a.identifier, 'mysql');
    otherDb = databaseNameFor(databasePrefix, seeded.b.identifier, 'mysql');
  });
  afterAll(() => app?.close());

  it('raw SQL on the tenant database, named or not, runs on every path', async () => {
    expect(await ds.query(SQL)).toEqual(mine);
    expect(await ds.manager.query(SQL)).toEqual(mine);
    expect(await ds.transaction((em) => em.query(SQL))).toEqual(mine);
    expect(await ds.query(`SELECT o.label FROM \`${tenantDb}\`.orders o`)).toEqual(mine);
  });

  const refused = (): Array<[string, string]> => [
    ['another tenant database', `SELECT label FROM ${otherDb}.orders`],
    ['another tenant database in backticks, joined', `SELECT * FROM orders, \`${otherDb}\`.\`orders\``],
    ['another tenant database in a subquery', `SELECT (SELECT label FROM \`${otherDb}\`.orders LIMIT 1) AS l`],
    ['another tenant database in a CTE', `WITH r AS (SELECT * FROM ${otherDb}.orders) SELECT * FROM orders, r`],
    ['the root database (the tenants registry)', `SELECT * FROM ${db.name}.tenants`],
    ['information_schema', 'SELECT TABLE_SCHEMA FROM information_schema.TABLES'],
    ['USE of another database', `USE \`${otherDb}\``],
    ['USE of its own database', `USE \`${tenantDb}\``],
    ['SHOW DATABASES', 'SHOW DATABASES'],
    ['DROP DATABASE', `DROP DATABASE ${otherDb}`],
    ['a prepared statement (dynamic SQL the guard cannot read)', "PREPARE s FROM 'SELECT 1'"],
    ['EXECUTE IMMEDIATE', "EXECUTE IMMEDIATE 'SELECT 1'"],
    ['an executable comment', `SELECT label FROM orders /*!50000 UNION SELECT label FROM ${otherDb}.orders */`],
  ];

  it('refuses raw SQL naming another database, USE and dynamic SQL, on every path', async () => {
    for (const [what, sql] of refused()) {
      await expect(ds.query(sql).then(() => what)).rejects.toThrow(TenancyError);
      await expect(ds.manager.query(sql).then(() => what)).rejects.toThrow(TenancyError);
      await expect(ds.transaction((em) => em.query(sql)).then(() => what)).rejects.toThrow(TenancyError);
      const runner = ds.createQueryRunner();
      try {
        await expect(runner.query(sql).then(() => what)).rejects.toThrow(TenancyError);
      } finally {
        await runner.release();
      }
    }
    expect(await ds.query(SQL)).toEqual(mine);
  });

  it('stream() on a runner: the same guard (another database refused, its own streams)', async () => {
    const read = async (sql: string) => {
      const runner = ds.createQueryRunner();
      try {
        const rows: unknown[] = [];
        for await (const row of await runner.stream(sql)) rows.push({ ...(row as object) });
        return rows;
      } finally {
        await runner.release();
      }
    };
    expect(await read(SQL)).toEqual(mine);
    const built: unknown[] = [];
    const qb = ds.getRepository(Order).createQueryBuilder('o').select('o.label', 'label').orderBy('o.id');
    for await (const row of await qb.stream()) built.push({ ...(row as object) });
    expect(built).toEqual(mine);
    await expect(read(`SELECT label FROM \`${otherDb}\`.orders`)).rejects.toThrow(TenancyError);
    await expect(read(`USE \`${otherDb}\``)).rejects.toThrow(TenancyError);
    expect(await ds.query(SQL)).toEqual(mine);
  });

  it('the refusal names the database, the strategy and the fix', async () => {
    await expect(ds.query(`SELECT * FROM ${otherDb}.orders`)).rejects.toThrow(
      new RegExp(`database strategy.*"${otherDb}" is not this tenant's database.*name tables unqualified`),
    );
  });

  it('a connection moved to another database behind the library is not reused: writes stay in the tenant database', async () => {
    const runner = ds.createQueryRunner();
    await onConnection(runner, `USE \`${otherDb}\``); // not through query(): the release check is what is under test
    await runner.query('SELECT 1');
    await runner.release();
    for (let i = 0; i < 4; i++) await ds.getRepository(Order).save({ label: `a-moved-${i}` });
    const theirs = await app
      .get<TenancyDataSources>(TENANCY_DATA_SOURCES)
      .root.query(`SELECT label FROM \`${otherDb}\`.orders ORDER BY id`);
    expect(theirs).toEqual([{ label: 'b-1' }]);
    await ds.query("DELETE FROM orders WHERE label LIKE 'a-moved-%'");
    expect(await ds.query(SQL)).toEqual(mine);
  });

  it('a runner released inside its transaction (ORM or raw), or after a failed statement, goes back rolled back', async () => {
    const begins = [
      (r: QueryRunner) => r.startTransaction(),
      (r: QueryRunner) => r.query('START TRANSACTION').then(() => undefined),
    ];
    for (const begin of begins) {
      for (const fail of [false, true]) {
        const runner = ds.createQueryRunner();
        await begin(runner);
        await runner.manager.getRepository(Order).save({ label: 'never-committed' }, { transaction: false });
        if (fail) await runner.query('SELECT * FROM no_such_table').catch(() => undefined);
        await runner.release();
        // Pool of 2: the next two checkouts include the released connection.
        const next = [ds.createQueryRunner(), ds.createQueryRunner()];
        try {
          for (const r of next) {
            await r.connect();
            expect(Number((await r.query('SELECT @@in_transaction AS t'))[0].t)).toBe(0);
          }
        } finally {
          await Promise.all(next.map((r) => r.release()));
        }
      }
    }
    expect(await ds.query(SQL)).toEqual(mine);
  });
});

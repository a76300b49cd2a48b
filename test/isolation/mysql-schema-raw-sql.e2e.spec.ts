import type { INestApplication } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { TenancyError } from 'nestjs-tenancy';
import type { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import { schemaNameFor } from '../../libs/tenancy/src/isolation/dialects/tenant-physical-names.util';
import { TENANCY_DATA_SOURCES } from '../../libs/tenancy/src/tenancy.constants';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { describeWith, mysqlAdmin, useMysqlDatabase } from '../support';
import { bootApp } from '../support/tenancy-app';
import { provisionTwoTenantOrders } from './support/orders-tenants';

/**
 * Issue 11, items 8 and 9 on MySQL/MariaDB schema mode (a DATABASE per tenant over one pool):
 * raw SQL through a tenant DataSource runs in the tenant database on every path and under any
 * concurrency, and never names another database.
 */
describeWith('mysql', 'MySQL schema mode: raw SQL stays in the tenant database', () => {
  const db = useMysqlDatabase();
  let app: INestApplication;
  let ds: DataSource;
  let root: DataSource;
  let tenantDb: string;
  let otherDb: string;
  const SQL = 'SELECT label FROM orders ORDER BY id';
  const mine = [{ label: 'a-1' }];

  beforeAll(async () => {
    const schemaPrefix = db.prefix.replace(/_$/, 's_');
    app = await bootApp(
      ordersAppModule({
        databaseUrl: db.url,
        entities: [Order, Customer],
        schemaPrefix,
        cacheEnabled: false,
        isolationStrategy: 'schema',
        poolSize: 2,
      }),
    );
    // The root database holds an `orders` table too: unscoped raw SQL would read it.
    await mysqlAdmin(db.url, 'CREATE TABLE orders (id int PRIMARY KEY, label varchar(50))');
    await mysqlAdmin(db.url, "INSERT INTO orders VALUES (1, 'ROOT')");
    const seeded = await provisionTwoTenantOrders(app, ['my-a', 'my-b'], 'schema');
    ({ ds } = seeded);
    tenantDb = schemaNameFor(schemaPrefix, seeded.a.identifier, 'mysql');
    otherDb = schemaNameFor(schemaPrefix, seeded.b.identifier, 'mysql');
    root = app.get<TenancyDataSources>(TENANCY_DATA_SOURCES).root;
  });
  afterAll(() => app?.close());

  it('item 8: raw queries issued concurrently inside one transaction all run in the tenant database', async () => {
    // Staggered by ORM statements (one round trip each): raw queries start in different phases.
    const results = await ds.transaction((em) =>
      Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          for (let k = 0; k < i % 3; k++) await em.getRepository(Order).find();
          return em.query(SQL);
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 12 }, () => mine));
  });

  it('item 9: raw SQL on a runner of the tenant DataSource, in a transaction, and on a given runner', async () => {
    const runner = ds.createQueryRunner();
    try {
      expect(await runner.query(SQL)).toEqual(mine);
      expect(await ds.query(SQL, [], runner)).toEqual(mine);
      expect(await Promise.all([runner.query(SQL), runner.query(SQL), runner.query(SQL)])).toEqual([mine, mine, mine]);
    } finally {
      await runner.release();
    }
    expect(await ds.manager.query(SQL)).toEqual(mine);
    expect(await ds.transaction((em) => em.query(SQL))).toEqual(mine);
  });

  it('query-builder SQL that names no tenant table runs in the tenant database, or is refused', async () => {
    const registry = ds.createQueryBuilder().select('t.identifier', 'identifier').from('tenants', 't');
    await expect(registry.getRawMany()).rejects.toThrow(/doesn't exist/);
    const qb = () => ds.createQueryBuilder().select('t.label', 'label').from('orders', 't').orderBy('t.id');
    expect(await qb().getRawMany()).toEqual(mine);
    expect(
      await ds.transaction((em) => em.createQueryBuilder().select('t.label', 'label').from('orders', 't').getRawMany()),
    ).toEqual(mine);
    await expect(ds.createQueryBuilder().select('*').from(`${db.name}.tenants`, 't').getRawMany()).rejects.toThrow(
      TenancyError,
    );
  });

  it('connections go back to the pool in the root database', async () => {
    await Promise.all(Array.from({ length: 6 }, () => ds.query(SQL)));
    const seen = await Promise.all(Array.from({ length: 6 }, () => root.query('SELECT DATABASE() AS d')));
    expect(seen.map((r: Array<{ d: string }>) => r[0].d)).toEqual(Array.from({ length: 6 }, () => db.name));
    expect(await root.query(SQL)).toEqual([{ label: 'ROOT' }]);
  });

  it('a runner released inside its transaction (ORM or raw) goes back to the pool rolled back', async () => {
    const hold = root.createQueryRunner(); // pool of 2: the next checkouts reuse the other connection
    await hold.connect();
    try {
      for (const begin of [
        (r: QueryRunner) => r.startTransaction(),
        (r: QueryRunner) => r.query('START TRANSACTION'),
      ]) {
        const runner = ds.createQueryRunner();
        await begin(runner);
        await runner.manager.getRepository(Order).save({ label: 'never-committed' }, { transaction: false });
        await runner.release();
        const next = ds.createQueryRunner();
        try {
          expect(Number((await next.query('SELECT @@in_transaction AS t'))[0].t)).toBe(0);
        } finally {
          await next.release();
        }
      }
    } finally {
      await hold.release();
    }
    expect(await ds.query(SQL)).toEqual(mine);
  });

  it('the tenant database may be named, and aliases qualify columns', async () => {
    expect(await ds.query(`SELECT o.label FROM \`${tenantDb}\`.orders o WHERE o.label <> 'x'`)).toEqual(mine);
    expect(await ds.query(`SELECT orders.label FROM ${tenantDb}.orders`)).toEqual(mine);
  });

  const refused = (): Array<[string, string]> => [
    ['the root database', `SELECT * FROM ${db.name}.tenants`],
    ['the root database in backticks', `SELECT * FROM orders, \`${db.name}\`.\`orders\``],
    ['another tenant database', `SELECT label FROM orders UNION SELECT label FROM ${otherDb}.orders`],
    ['another tenant database in a subquery', `SELECT (SELECT label FROM \`${otherDb}\`.orders LIMIT 1) AS l`],
    ['another tenant database, upper-cased', `SELECT * FROM ${otherDb.toUpperCase()}.ORDERS`],
    ['information_schema', 'SELECT TABLE_SCHEMA FROM information_schema.TABLES'],
    ['the mysql database', 'SELECT user FROM mysql.user'],
    ['USE', `USE \`${db.name}\``],
    ['SHOW DATABASES', 'SHOW DATABASES'],
    ['SHOW TABLES of another database', `SHOW TABLES FROM ${otherDb}`],
    ['CREATE DATABASE', 'CREATE DATABASE evil_copy'],
    ['an executable comment', `SELECT label FROM orders /*!50000 UNION SELECT label FROM ${otherDb}.orders */`],
    ['a backslash in a literal', `SELECT label FROM orders WHERE label = 'x\\' UNION SELECT 1 -- '`],
  ];

  it('refuses raw SQL naming another database, on every path', async () => {
    for (const [what, sql] of refused()) {
      await expect(ds.query(sql).then(() => what)).rejects.toThrow(TenancyError);
      await expect(ds.transaction((em) => em.query(sql)).then(() => what)).rejects.toThrow(TenancyError);
      const runner = ds.createQueryRunner();
      try {
        await expect(runner.query(sql).then(() => what)).rejects.toThrow(TenancyError);
      } finally {
        await runner.release();
      }
    }
  });

  it('the refusal names the database and the fix', async () => {
    await expect(ds.query(`SELECT * FROM ${db.name}.tenants`)).rejects.toThrow(
      new RegExp(`"${db.name}" is not this tenant's database`),
    );
  });

  it('a runner of another DataSource is refused as the runner of a tenant raw query', async () => {
    const foreign = root.createQueryRunner();
    try {
      await expect(ds.query(SQL, [], foreign)).rejects.toThrow(TenancyError);
    } finally {
      await foreign.release();
    }
  });
});

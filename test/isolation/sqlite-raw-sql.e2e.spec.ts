import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { TenancyError, TenantConnectionManager } from 'nestjs-tenancy';
import type { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import { TENANCY_DATA_SOURCES } from '../../libs/tenancy/src/tenancy.constants';
import { SCHEMA_PLACEHOLDER } from '../../libs/tenancy/src/connection/shared-pool-view';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { bootApp, provisionTenant } from '../support/tenancy-app';
import { provisionTwoTenantOrders } from './support/orders-tenants';

const P = SCHEMA_PLACEHOLDER;

/**
 * Issue 11, items 9 and 10 on SQLite schema mode (a table prefix per tenant, one shared file):
 * raw SQL through a tenant DataSource, on any of its runners, may only name that tenant's tables.
 */
describe('SQLite schema mode: raw SQL reaches only the tenant tables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-sqlite-raw-'));
  let app: INestApplication;
  let ds: DataSource;

  beforeAll(async () => {
    app = await bootApp(
      ordersAppModule({
        databaseUrl: `sqlite:${join(dir, 'master.sqlite')}`,
        entities: [Order, Customer],
        cacheEnabled: false,
        isolationStrategy: 'schema',
      }),
    );
    ({ ds } = await provisionTwoTenantOrders(app, ['raw-a', 'raw-b'], 'schema'));
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the tenant tables, named with the placeholder, are readable on every path', async () => {
    const sql = `SELECT label FROM "${P}orders" WHERE label <> 'tenants' ORDER BY id`;
    expect(await ds.query(sql)).toEqual([{ label: 'a-1' }]);
    expect(await ds.manager.query(sql)).toEqual([{ label: 'a-1' }]);
    const runner = ds.createQueryRunner();
    try {
      expect(await runner.query(sql)).toEqual([{ label: 'a-1' }]);
      expect(await ds.query(sql, [], runner)).toEqual([{ label: 'a-1' }]);
    } finally {
      await runner.release();
    }
    expect(await ds.transaction((em) => em.query(sql))).toEqual([{ label: 'a-1' }]);
  });

  const refused: Array<[string, string]> = [
    ['the registry joined beside the tenant table', `SELECT o.label, t.identifier FROM "${P}orders" o, tenants t`],
    ['the registry quoted', `SELECT * FROM "${P}orders" JOIN "tenants" ON 1 = 1`],
    ['the registry in backticks', `SELECT * FROM "${P}orders", \`tenants\``],
    ['the registry in square brackets', `SELECT * FROM "${P}orders", [tenants]`],
    ['the registry upper-cased and schema-qualified', `SELECT * FROM "${P}orders", main.TENANTS`],
    ['the registry in a subquery', `SELECT (SELECT identifier FROM tenants LIMIT 1) AS x FROM "${P}orders"`],
    ['the registry in a CTE', `WITH r AS (SELECT * FROM tenants) SELECT * FROM "${P}orders", r`],
    ['another tenant table by its real name', `SELECT * FROM "${P}orders" JOIN t_raw_b__orders USING (id)`],
    ['another tenant table quoted', `SELECT * FROM "t_raw_b__orders" UNION SELECT * FROM "${P}orders"`],
    ['another tenant table comma-joined', `SELECT o.label, x.label FROM "${P}orders" o, t_raw_b__orders x`],
    ['another tenant table comma-joined, quoted', `SELECT * FROM "${P}orders" o, "t_raw_b__orders" AS x`],
    ['another tenant table in a subquery', `SELECT (SELECT label FROM t_raw_b__orders LIMIT 1) FROM "${P}orders"`],
    ['another tenant table in EXISTS', `SELECT * FROM "${P}orders" WHERE EXISTS (SELECT 1 FROM "t_raw_b__orders")`],
    ['another tenant table in a CTE', `WITH x AS (SELECT * FROM t_raw_b__orders) SELECT * FROM "${P}orders", x`],
    [
      'another tenant table in a recursive CTE',
      `WITH RECURSIVE x(n) AS (SELECT id FROM T_RAW_B__ORDERS UNION SELECT n FROM x) SELECT * FROM x, "${P}orders"`,
    ],
    [
      'another tenant table as INSERT ... SELECT source',
      `INSERT INTO "${P}orders" (label) SELECT label FROM t_raw_b__orders`,
    ],
    [
      'another tenant table as UPDATE ... FROM source',
      `UPDATE "${P}orders" SET label = x.label FROM t_raw_b__orders x`,
    ],
    ['another tenant table as DELETE target', `DELETE FROM t_raw_b__orders WHERE id IN (SELECT id FROM "${P}orders")`],
    ['sqlite_master', `SELECT name FROM sqlite_master, "${P}orders"`],
    ['sqlite_schema', `SELECT name FROM "sqlite_schema", "${P}orders"`],
    ['a pragma function', `SELECT * FROM pragma_table_list, "${P}orders"`],
    ['PRAGMA', `PRAGMA "${P}orders".table_info`],
    ['ATTACH', `ATTACH DATABASE '${join(dir, 'master.sqlite')}' AS "${P}x"`],
    ['the placeholder only in a comment', `/* "${P}orders" */ SELECT * FROM tenants`],
    ['the placeholder only in a string', `SELECT '"${P}orders', * FROM tenants`],
    ['an unterminated quoted identifier', `SELECT * FROM "${P}orders", "tenants`],
    ['no tenant table at all', 'SELECT * FROM tenants'],
  ];

  it.each(refused)('refused: %s', async (_what, sql) => {
    await expect(ds.query(sql)).rejects.toThrow(TenancyError);
  });

  it.each(refused)('refused on the runner, the transaction manager and a given runner: %s', async (_what, sql) => {
    const runner = ds.createQueryRunner();
    try {
      await expect(runner.query(sql)).rejects.toThrow(TenancyError);
      await expect(ds.query(sql, [], runner)).rejects.toThrow(TenancyError);
    } finally {
      await runner.release();
    }
    await expect(ds.transaction((em) => em.query(sql))).rejects.toThrow(TenancyError);
  });

  it('a runner of another DataSource is refused as the runner of a tenant raw query', async () => {
    const foreign = app.get<TenancyDataSources>(TENANCY_DATA_SOURCES).root.createQueryRunner();
    await expect(ds.query(`SELECT label FROM "${P}orders"`, [], foreign)).rejects.toThrow(TenancyError);
  });

  it('a table created after a statement was approved is seen: the catalog is re-read after DDL', async () => {
    const sql = `SELECT label FROM "${P}orders" WHERE id NOT IN (SELECT id FROM late_shared)`;
    await expect(ds.query(sql)).rejects.toThrow(/no such table: late_shared/);
    const root = app.get<TenancyDataSources>(TENANCY_DATA_SOURCES).root;
    await root.query('CREATE TABLE late_shared (id integer)');
    await expect(ds.query(sql)).rejects.toThrow(/"late_shared" is not a table of this tenant/);
  });

  it('the refusal names the cause and the fix', async () => {
    await expect(ds.query(`SELECT * FROM "${P}orders", tenants`)).rejects.toThrow(
      /"tenants" is not a table of this tenant.*"__tenancy_schema__<table>"/,
    );
  });

  it('each createQueryRunner() of a view is its own runner (one shared runner was re-wrapped per call)', () => {
    expect(ds.createQueryRunner()).not.toBe(ds.createQueryRunner());
  });
});

describe('SQLite database mode: a tenant file cannot ATTACH another', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-sqlite-attach-'));
  let app: INestApplication;
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ATTACH and DETACH are refused on every path', async () => {
    app = await bootApp(
      ordersAppModule({
        databaseUrl: `sqlite:${join(dir, 'master.sqlite')}`,
        databaseUrlTemplate: `sqlite:${join(dir, '{database_name}.sqlite')}`,
        entities: [Order, Customer],
        cacheEnabled: false,
        isolationStrategy: 'database',
      }),
    );
    const connections = app.get(TenantConnectionManager);
    const x = await connections.getDataSource(await provisionTenant(app, 'file-x', 'database'));
    const y = await connections.getDataSource(await provisionTenant(app, 'file-y', 'database'));
    await y.getRepository(Order).save({ label: 'y-secret' });
    const attach = `ATTACH DATABASE '${String(y.options.database)}' AS other`;
    await expect(x.query(attach)).rejects.toThrow(TenancyError);
    await expect(x.transaction((em) => em.query(`  attach '${String(y.options.database)}' AS other`))).rejects.toThrow(
      /ATTACH/,
    );
    const runner = x.createQueryRunner();
    try {
      await expect(runner.query(attach)).rejects.toThrow(TenancyError);
      await expect(runner.query('DETACH DATABASE main')).rejects.toThrow(TenancyError);
    } finally {
      await runner.release();
    }
    expect(await x.query("SELECT 'attach' AS word")).toEqual([{ word: 'attach' }]);
  });
});

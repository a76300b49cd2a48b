import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { TenancyModuleOptions, TenantIsolation } from 'nestjs-tenancy';
import { TenantProvisioner } from '../../libs/tenancy/src/isolation/tenant-provisioner';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { databaseTemplate, describeWith, mysqlAdmin, serviceUrl, useMysqlDatabase } from '../support';
import { bootApp, provisionTenant } from '../support/tenancy-app';

/** The same isolation checks on MySQL/MariaDB and SQLite, for schema and database isolation. */
function isolationChecks(
  options: () => TenancyModuleOptions,
  strategy: TenantIsolation,
  rawScoped: boolean,
  storageGone: () => Promise<boolean> | boolean,
): () => void {
  return () => {
    let app: INestApplication;
    const [A, B] = [`${strategy}-a`, `${strategy}-b`];
    const get = (t: string, path: string) => request(app.getHttpServer()).get(path).set('X-Tenant-ID', t);
    const post = (t: string, path: string, body: object) =>
      request(app.getHttpServer()).post(path).set('X-Tenant-ID', t).send(body);

    beforeAll(async () => {
      app = await bootApp(ordersAppModule(options()));
      for (const t of [A, B]) {
        await provisionTenant(app, t, strategy);
        await post(t, '/orders', { label: `${t}-1`, email: `x@${t}.test` }).expect(201);
      }
    });
    afterAll(() => app?.close());

    it('find, query builder and joins see only the tenant rows', async () => {
      expect((await get(A, '/orders')).body.map((o: Order) => o.label)).toEqual([`${A}-1`]);
      expect((await get(B, '/orders/qb')).body.map((o: Order) => o.label)).toEqual([`${B}-1`]);
      const joined = (await get(A, '/orders/join')).body as Order[];
      expect(joined.map((o) => o.customer?.email)).toEqual([`x@${A}.test`]);
    });

    it('update by id stays in the tenant; transactions roll back', async () => {
      await request(app.getHttpServer())
        .patch('/orders/1')
        .set('X-Tenant-ID', A)
        .send({ label: 'renamed' })
        .expect(200);
      expect((await get(B, '/orders')).body.map((o: Order) => o.label)).toEqual([`${B}-1`]);
      await post(B, '/orders/fail', { label: 'doomed' }).expect(500);
      expect((await get(B, '/orders')).body.map((o: Order) => o.label)).toEqual([`${B}-1`]);
    });

    it(
      rawScoped ? 'raw query() is scoped to the tenant' : 'unqualified raw query() is refused (fail closed)',
      async () => {
        const res = await get(B, '/orders/raw');
        if (rawScoped) expect(res.body).toEqual([{ label: `${B}-1` }]);
        else expect(res.status).toBe(500);
      },
    );

    it('hard drop removes the tenant storage (idempotent)', async () => {
      const tenant = await app.get(TenantProvisioner).connectionsTenant(B);
      await app.get(TenantProvisioner).dropStorage(tenant);
      await app.get(TenantProvisioner).dropStorage(tenant);
      expect(await storageGone()).toBe(true);
      const res = await get(B, '/orders');
      // Its tables (500) or its whole database (503, that tenant only) are gone; never someone else's rows.
      expect(res.status).toBe(strategy === 'database' && !isSqlite(options()) ? 503 : 500);
      expect((await get(A, '/orders')).body.map((o: Order) => o.label)).toEqual(['renamed']);
    });
  };
}

describeWith('mysql', 'isolation on MySQL/MariaDB', () => {
  const db = useMysqlDatabase();
  const base = (): TenancyModuleOptions => ({
    databaseUrl: db.url,
    entities: [Order, Customer],
    schemaPrefix: db.prefix.replace(/_$/, 's_'),
    databasePrefix: db.prefix.replace(/_$/, 'd_'),
    databaseUrlTemplate: databaseTemplate(serviceUrl('mysql')),
    cacheEnabled: false,
    poolSize: 2,
  });
  const gone = (suffix: string) => async () => {
    const left = await mysqlAdmin(
      serviceUrl('mysql'),
      `SHOW DATABASES LIKE '${db.prefix.slice(0, -1).replace(/_/g, '\\_')}%${suffix}'`,
    );
    return left.length === 0;
  };
  describe(
    'schema (a database per tenant)',
    isolationChecks(() => ({ ...base(), isolationStrategy: 'schema' }), 'schema', true, gone('s_schema_b')),
  );
  describe(
    'database',
    isolationChecks(() => ({ ...base(), isolationStrategy: 'database' }), 'database', true, gone('d_database_b')),
  );
});

describe('isolation on SQLite (better-sqlite3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = (name: string): TenancyModuleOptions => ({
    databaseUrl: `sqlite:${join(dir, `${name}-master.sqlite`)}`,
    databaseUrlTemplate: `sqlite:${join(dir, '{database_name}.sqlite')}`,
    entities: [Order, Customer],
    cacheEnabled: false,
  });
  const tablesGone = () => {
    const master = new Database(join(dir, 's-master.sqlite'));
    const rows = master
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't_schema_b__%'")
      .all();
    master.close();
    return rows.length === 0;
  };
  const fileGone = () =>
    !existsSync(join(dir, 'tenant_database_b.sqlite')) && existsSync(join(dir, 'tenant_database_a.sqlite'));
  describe(
    'schema (a table prefix per tenant)',
    isolationChecks(() => ({ ...base('s'), isolationStrategy: 'schema' }), 'schema', false, tablesGone),
  );
  describe(
    'database (a file per tenant)',
    isolationChecks(() => ({ ...base('d'), isolationStrategy: 'database' }), 'database', true, fileGone),
  );
});

function isSqlite(options: TenancyModuleOptions): boolean {
  return options.databaseUrl.startsWith('sqlite:');
}

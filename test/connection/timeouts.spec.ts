import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { TenantConnectionManager, TenantStore, type Tenant } from 'nestjs-tenancy';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { dropDatabasesLike } from '../reliability/support/pg-sandbox';
import { BlackHole } from '../support/black-hole';
import { databaseTemplate, describeWith, uniqueToken, usePostgresDatabase } from '../support';
import { bootApp, provisionTenant } from '../support/tenancy-app';

const UNAVAILABLE = { statusCode: 503, message: 'Service Unavailable' };

// Issue 15 item 3: connectTimeoutMs and statementTimeoutMs against the real PostgreSQL, and a
// tenant database that accepts TCP and never answers.
describeWith('postgres', 'connection timeouts', () => {
  const db = usePostgresDatabase();
  const prefix = `to${uniqueToken().slice(-8)}_`;
  const hole = new BlackHole();
  let app: INestApplication;
  let healthy: Tenant;
  let shared: Tenant;
  let broken: Tenant;

  beforeAll(async () => {
    await hole.start();
    app = await bootApp(
      ordersAppModule({
        databaseUrl: db.url,
        isolationStrategy: 'hybrid',
        premiumIsolationStrategy: 'database',
        standardIsolationStrategy: 'schema',
        databaseUrlTemplate: databaseTemplate(db.adminUrl),
        databasePrefix: prefix,
        schemaPrefix: prefix,
        entities: [Order, Customer],
        poolSize: 2,
        cacheEnabled: false,
        connectTimeoutMs: 400,
        statementTimeoutMs: 150,
      }),
    );
    healthy = await provisionTenant(app, 'to-healthy', 'database');
    shared = await provisionTenant(app, 'to-shared', 'schema');
    for (const t of [healthy, shared])
      await request(app.getHttpServer()).post('/orders').set('X-Tenant-ID', t.identifier).send({ label: t.identifier });
    broken = await app.get<TenantStore>(TenantStore).create({
      identifier: 'to-black-hole',
      name: 'black hole',
      isolationStrategy: 'database',
      status: 'active',
      databaseUrl: `postgresql://postgres@127.0.0.1:${hole.port}/nowhere`,
    });
  });
  afterAll(async () => {
    await app?.close();
    await hole.close();
    await dropDatabasesLike(db.adminUrl, prefix);
  });

  it('a tenant database that accepts and never answers gets 503 after the connect timeout; others are served', async () => {
    const server = app.getHttpServer();
    const get = async (tenant: Tenant) => ({
      tenant,
      res: await request(server).get('/orders').set('X-Tenant-ID', tenant.identifier),
    });
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => get(broken)),
      ...Array.from({ length: 24 }, (_, i) => get(i % 2 ? healthy : shared)),
    ]);
    expect(hole.accepted).toBeGreaterThan(0);
    const brokenAnswers = results.filter((r) => r.tenant === broken).map((r) => [r.res.status, r.res.body]);
    expect(brokenAnswers).toEqual(Array.from({ length: 8 }, () => [503, UNAVAILABLE]));
    const others = results.filter((r) => r.tenant !== broken);
    expect(others.map((r) => [r.res.status, r.res.body.map((o: Order) => o.label)])).toEqual(
      others.map((r) => [200, [r.tenant.identifier]]),
    );
  }, 20_000);

  it.each(['database', 'schema'] as const)(
    'statementTimeoutMs cancels a %s tenant statement that runs longer',
    async (kind) => {
      const tenant = kind === 'database' ? healthy : shared;
      const dataSource = await app.get(TenantConnectionManager).getDataSource(tenant);
      expect(await dataSource.query('SELECT current_setting($1) AS v', ['statement_timeout'])).toEqual([
        { v: '150ms' },
      ]);
      await expect(dataSource.query('SELECT pg_sleep(1)')).rejects.toThrow(
        /canceling statement due to statement timeout/,
      );
      await request(app.getHttpServer()).get('/orders/slow').set('X-Tenant-ID', tenant.identifier).expect(500);
    },
  );
});

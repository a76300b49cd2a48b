import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describeWith, useMysqlDatabase, useOrdinaryRole, usePostgresDatabase } from '../support';
import { startSample, type SampleProcess } from './support/sample-process';

const TOKEN = 'e2e-admin-token';
const NOT_FOUND = { statusCode: 404, message: 'Tenant not found' };

interface Setup {
  /** Environment of the app (nothing else is inherited but PATH and HOME). */
  env(): Record<string, string>;
  /** Working directory (the SQLite default writes ./data there). */
  cwd?(): string;
  /** Admin token the app accepts. */
  token: string;
  /** Demo tenants the app registers at start-up (with one order each). */
  demo: boolean;
}

/**
 * The sample driven over HTTP as a user would: admin API, orders by header and by subdomain,
 * isolation, suspension, metrics and health, then a clean shutdown.
 */
function sampleScenario(setup: Setup, [a, b]: [string, string]): () => void {
  return () => {
    let app: SampleProcess;
    const http = () => request(app.url);
    const admin = () => ({ Authorization: `Bearer ${setup.token}` });
    const byHeader = (tenant: string) => ({ 'X-Tenant-ID': tenant });
    const bySubdomain = (tenant: string) => ({ Host: `${tenant}.localhost:${app.port}` });
    const items = (res: request.Response) => (res.body as Array<{ item: string }>).map((o) => o.item);

    beforeAll(async () => {
      app = await startSample(setup.env(), setup.cwd?.());
    }, 120_000);
    afterAll(async () => {
      await app?.stop();
    });

    it('starts healthy, and prints the URL and curl lines to try', async () => {
      expect(app.output()).toMatch(/Try:\n {2}curl -H 'X-Tenant-ID: acme' http:\/\/localhost:\d+\/orders/);
      expect(app.output()).toContain(`curl -H 'Host: globex.localhost:${app.port}'`);
      const health = await http().get('/health').expect(200);
      expect(health.body).toMatchObject({ status: 'ok', info: { tenancy: { status: 'up', database: 'up' } } });
    });

    if (setup.demo) {
      it('registered the demo tenants acme and globex with one order each', async () => {
        expect(items(await http().get('/orders').set(byHeader('acme')).expect(200))).toEqual(['Rocket skates']);
        expect(items(await http().get('/orders').set(bySubdomain('globex')).expect(200))).toEqual(['Doomsday device']);
        expect(app.output()).toContain('SAMPLE_ADMIN_TOKEN is not set');
      });
    }

    it('refuses the admin API without the admin token', async () => {
      await http().get('/admin/tenants').expect(401);
      await http().get('/admin/tenants').set({ Authorization: 'Bearer wrong' }).expect(401);
      await http().post('/admin/tenants').send({ identifier: a, name: 'A' }).expect(401);
    });

    it('registers two tenants through the admin API', async () => {
      const created = await http()
        .post('/admin/tenants')
        .set(admin())
        .send({ identifier: a, name: 'Tenant A' })
        .expect(201);
      expect(created.body).toMatchObject({ identifier: a, status: 'active', hasOwnDatabase: false });
      expect(created.body).not.toHaveProperty('databaseUrl');
      await http().post('/admin/tenants').set(admin()).send({ identifier: b, name: 'Tenant B' }).expect(201);
      await http().post('/admin/tenants').set(admin()).send({ identifier: a, name: 'again' }).expect(409);
      await http().post('/admin/tenants').set(admin()).send({ identifier: 'Not Valid!', name: 'x' }).expect(400);
      const list = await http().get('/admin/tenants').set(admin()).expect(200);
      expect((list.body as Array<{ identifier: string }>).map((t) => t.identifier)).toEqual(
        expect.arrayContaining([a, b]),
      );
    });

    it('creates orders by header and by subdomain, each in its own tenant', async () => {
      const order = { item: 'Anvil', quantity: 2, customerEmail: 'wile@a.test' };
      const created = await http().post('/orders').set(byHeader(a)).send(order).expect(201);
      expect(created.body).toMatchObject({ item: 'Anvil', quantity: 2, customer: { email: 'wile@a.test' } });
      await http().post('/orders').set(bySubdomain(b)).send({ item: 'Rope', customerEmail: 'road@b.test' }).expect(201);
      await http()
        .post('/orders')
        .set(bySubdomain(b))
        .send({ item: 'Seeds', customerEmail: 'road@b.test' })
        .expect(201);
      await http().post('/orders').set(byHeader(a)).send({ item: '' }).expect(400);
      expect((await http().get('/orders/whoami').set(bySubdomain(a)).expect(200)).body).toEqual({ tenant: a });
    });

    it('keeps the tenants isolated, whichever way they are named', async () => {
      expect(items(await http().get('/orders').set(byHeader(a)).expect(200))).toEqual(['Anvil']);
      expect(items(await http().get('/orders').set(bySubdomain(a)).expect(200))).toEqual(['Anvil']);
      expect(items(await http().get('/orders').set(byHeader(b)).expect(200))).toEqual(['Rope', 'Seeds']);
      const aOrders = (await http().get('/orders').set(byHeader(a))).body as Array<{ id: number }>;
      // B asking for A's order id finds nothing of A's (its own row, if B has one with that id).
      const cross = await http().get(`/orders/${aOrders[0].id}`).set(byHeader(b));
      if (cross.status === 200) expect(cross.body.item).not.toBe('Anvil');
      else expect(cross.status).toBe(404);
      // The subdomain wins over a header naming another tenant: one request, one tenant.
      expect(
        items(
          await http()
            .get('/orders')
            .set({ ...bySubdomain(a), ...byHeader(b) })
            .expect(200),
        ),
      ).toEqual(['Anvil']);
      expect((await http().get('/orders').set(byHeader('nobody-here')).expect(404)).body).toEqual(NOT_FOUND);
      expect((await http().get('/orders').expect(404)).body).toEqual(NOT_FOUND);
    });

    it('logs with the tenant identifier', () => {
      expect(app.output()).toMatch(new RegExp(`\\[OrdersService\\] \\[tenant=${a}\\] Order \\d+ created`));
      expect(app.output()).toMatch(new RegExp(`\\[OrdersService\\] \\[tenant=${b}\\] Order \\d+ created`));
    });

    it('answers the uniform 404 for a suspended tenant, by header and by subdomain; others go on', async () => {
      const suspended = await http().post(`/admin/tenants/${b}/suspend`).set(admin()).expect(200);
      expect(suspended.body.status).toBe('suspended');
      expect((await http().get('/orders').set(byHeader(b)).expect(404)).body).toEqual(NOT_FOUND);
      expect((await http().get('/orders').set(bySubdomain(b)).expect(404)).body).toEqual(NOT_FOUND);
      expect(items(await http().get('/orders').set(byHeader(a)).expect(200))).toEqual(['Anvil']);
    });

    it('reflects all of this in /metrics (Prometheus) and /admin/metrics', async () => {
      // Operator-only: the reason label tells suspended from unknown (issue 18 item 5).
      await http().get('/metrics').expect(401);
      const res = await http().get('/metrics').set(admin()).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const metric = (line: string) =>
        Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(res.text)?.[1]);
      expect(metric('tenancy_tenants{status="suspended"}')).toBe(1);
      expect(metric('tenancy_tenants{status="active"}')).toBe(setup.demo ? 3 : 1);
      expect(metric('tenancy_resolution_rejected_total{reason="suspended"}')).toBe(2);
      expect(metric('tenancy_resolution_rejected_total{reason="unknown"}')).toBe(1);
      expect(metric('tenancy_resolution_rejected_total{reason="missing"}')).toBe(1);
      expect(metric('tenancy_resolution_resolved_total')).toBeGreaterThanOrEqual(9);
      expect(metric('tenancy_cache_hits_total{level="l1"}')).toBeGreaterThan(0);
      const json = (await http().get('/admin/metrics').set(admin()).expect(200)).body;
      expect(Object.keys(json).sort()).toEqual([
        'dataSources',
        'l1Cache',
        'l2Cache',
        'metricsEnabled',
        'pool',
        'resolution',
        'scopeViolations',
        'tenants',
      ]);
      expect(json).toMatchObject({
        metricsEnabled: true,
        scopeViolations: 0, // the sample's own paths never trip the scoping check
        tenants: { byStatus: { active: setup.demo ? 3 : 1, suspended: 1, deleted: 0, provisioning: 0 } },
        resolution: { rejected: { byReason: { suspended: 2, unknown: 1, missing: 1 } } },
      });
      expect(json.l1Cache.hits).toBeGreaterThan(0);
    });

    it('activates, migrates and deletes tenants through the admin API', async () => {
      await http().post(`/admin/tenants/${b}/activate`).set(admin()).expect(200);
      expect(items(await http().get('/orders').set(bySubdomain(b)).expect(200))).toEqual(['Rope', 'Seeds']);
      const report = await http()
        .post('/admin/tenants/migrate')
        .set(admin())
        .send({ tenants: [a, b] })
        .expect(200);
      expect(report.body.failed).toBe(0);
      // RLS tenants share one set of tables: migrated once, on one line naming them (issue 12 item 8).
      const rls = setup.env().TENANCY_ISOLATION_STRATEGY === 'rls';
      expect(
        (report.body.results as Array<{ tenant: string; tenants?: string[] }>).map((r) => [r.tenant, r.tenants]),
      ).toEqual(
        rls
          ? [['shared RLS tables', [a, b]]]
          : [
              [a, undefined],
              [b, undefined],
            ],
      );
      await http().delete(`/admin/tenants/${b}`).set(admin()).expect(204);
      expect((await http().get('/orders').set(byHeader(b)).expect(404)).body).toEqual(NOT_FOUND);
      await http().post(`/admin/tenants/${b}/suspend`).set(admin()).expect(409); // deleted: no transition
      await http().delete('/admin/tenants/nobody-here').set(admin()).expect(404);
      const json = (await http().get('/admin/metrics').set(admin()).expect(200)).body;
      expect(json.tenants.byStatus).toMatchObject({ deleted: 1, suspended: 0 });
    });

    it('stays healthy, and shuts down cleanly on SIGTERM', async () => {
      await http().get('/health').expect(200);
      const exit = await app.stop();
      expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true); // never SIGKILLed after the grace period
      expect(app.output()).not.toMatch(/ERROR/);
    });
  };
}

describe('sample app with no configuration (embedded SQLite under ./data)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'tenancy-sample-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  describe(
    'defaults',
    sampleScenario({ env: () => ({}), cwd: () => cwd, token: 'dev-admin-token', demo: true }, ['sqlite-a', 'sqlite-b']),
  );
  it('kept its files under ./data of the working directory', () => {
    expect(readdirSync(join(cwd, 'data'))).toContain('tenancy.sqlite');
  });
});

describeWith('postgres', 'sample app on PostgreSQL', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const schemaDb = usePostgresDatabase(); // its own tenants table: counts start at 0
  const env = (url: () => string, strategy: string) => () => ({
    TENANCY_DATABASE_URL: url(),
    TENANCY_ISOLATION_STRATEGY: strategy,
    TENANCY_ENABLE_METRICS: 'true',
    TENANCY_POOL_SIZE: '3',
    SAMPLE_ADMIN_TOKEN: TOKEN,
    SAMPLE_DEMO_TENANTS: 'false',
  });
  // RLS first: its ordinary role then owns the shared tables.
  describe(
    'rls (as an ordinary role)',
    sampleScenario({ env: env(() => role.url, 'rls'), token: TOKEN, demo: false }, ['rls-a', 'rls-b']),
  );
  describe(
    'schema',
    sampleScenario({ env: env(() => schemaDb.url, 'schema'), token: TOKEN, demo: false }, ['schema-a', 'schema-b']),
  );
});

describeWith('mysql', 'sample app on MySQL/MariaDB', () => {
  const db = useMysqlDatabase();
  const env = () => ({
    TENANCY_DATABASE_URL: db.url,
    TENANCY_ISOLATION_STRATEGY: 'schema', // a database per tenant, named with the prefix cleaned up after
    TENANCY_SCHEMA_PREFIX: db.prefix,
    TENANCY_POOL_SIZE: '3',
    SAMPLE_ADMIN_TOKEN: TOKEN,
    SAMPLE_DEMO_TENANTS: 'false',
  });
  describe('schema', sampleScenario({ env, token: TOKEN, demo: false }, ['mysql-a', 'mysql-b']));
});

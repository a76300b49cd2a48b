import type { INestApplication } from '@nestjs/common';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { TenancyModuleOptions, TenantIsolation } from 'nestjs-tenancy';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { describeWith, pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';
import { describeWithPgBouncer, usePgBouncer } from '../support/pgbouncer';
import { idleConnectionState, sharedPool } from '../support/pool-inspection';
import { bootApp, provisionTenant } from '../support/tenancy-app';

const TENANTS = 20;
const REQUESTS = 500;
const cases: Array<[TenantIsolation, number]> = [
  ['rls', 1],
  ['rls', 2],
  ['schema', 1],
  ['schema', 2],
];

describeWith('postgres', 'shared pool under concurrent load (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  describe.each(cases)('%s, poolSize %i', (strategy, poolSize) => {
    concurrencySuite(strategy, poolSize, () => ({ databaseUrl: role.url }));
  });
});

// The same load through PgBouncer in transaction pooling (issue 15): only transaction scope is
// correct there, every tenant statement in a transaction with its setting transaction-local.
describeWithPgBouncer('shared pool under concurrent load through PgBouncer (transaction pooling)', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const bouncer = usePgBouncer(3);
  beforeAll(async () => {
    await bouncer().allow(role.role);
    // PgBouncer drops the startup option that gives the pool its empty search_path: the operator
    // sets it on the role instead (README, "Operating the connection layer").
    await pgAdmin(db.url, `ALTER ROLE "${role.role}" IN DATABASE "${db.name}" SET search_path = ''`);
  });
  describe.each(cases)('%s, poolSize %i, scopeMode transaction', (strategy, poolSize) => {
    concurrencySuite(strategy, poolSize, () => ({
      databaseUrl: bouncer().through(role.url),
      scopeMode: 'transaction',
    }));
  });
});

function concurrencySuite(
  strategy: TenantIsolation,
  poolSize: number,
  connection: () => Pick<TenancyModuleOptions, 'databaseUrl' | 'scopeMode'>,
): void {
  let app: INestApplication;
  const ids = Array.from({ length: TENANTS }, (_, i) => `${strategy}${poolSize}-t${i}`);

  beforeAll(async () => {
    app = await bootApp(
      ordersAppModule({
        ...connection(),
        isolationStrategy: strategy,
        schemaPrefix: `c${poolSize}_`,
        entities: [Order, Customer],
        poolSize,
        cacheEnabled: true,
      }),
    );
    for (const id of ids) {
      await provisionTenant(app, id, strategy);
      await request(app.getHttpServer()).post('/orders').set('X-Tenant-ID', id).send({ label: id }).expect(201);
    }
  });
  afterAll(() => app?.close());

  it(`${REQUESTS} interleaved requests across ${TENANTS} tenants: zero crossings`, async () => {
    const server = app.getHttpServer();
    const order = Array.from({ length: REQUESTS }, (_, i) => ids[(i * 7 + Math.floor(i / 3)) % TENANTS]);
    const responses = await Promise.all(
      order.map(async (id) => ({ id, res: await request(server).get('/orders').set('X-Tenant-ID', id) })),
    );
    const crossed = responses.filter(
      ({ id, res }) =>
        res.status !== 200 || JSON.stringify(res.body.map((o: Order) => o.label)) !== JSON.stringify([id]),
    );
    expect(crossed.map(({ id, res }) => [id, res.status])).toEqual([]);
  });

  it('leaves every idle connection unscoped after throwing transactions and aborted clients', async () => {
    const server = app.getHttpServer();
    await Promise.all(
      ids
        .slice(0, 6)
        .map((id) => request(server).post('/orders/fail').set('X-Tenant-ID', id).send({ label: 'x' }).expect(500)),
    );
    await abortMidRequest(app, ids[1], '/orders/slow');
    await new Promise((r) => setTimeout(r, 600)); // the aborted request's query finishes and releases
    const pool = sharedPool(app);
    const state = await idleConnectionState(pool);
    expect(state.idle).toBe(state.total);
    expect(state.states.every((s) => s.tenant === '' && (s.search_path === '' || s.search_path === '""'))).toBe(true);
    // and the data is intact: the failed transactions left nothing behind
    const res = await request(server).get('/orders').set('X-Tenant-ID', ids[0]);
    expect(res.body.map((o: Order) => o.label)).toEqual([ids[0]]);
  });
}

/** Sends a request and destroys the socket before the response arrives. */
async function abortMidRequest(app: INestApplication, tenant: string, path: string): Promise<void> {
  const server = app.getHttpServer() as http.Server;
  if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { 'X-Tenant-ID': tenant } });
    req.on('error', () => resolve());
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 100);
  });
}

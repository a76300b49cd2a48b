import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TenancyConfigError } from 'nestjs-tenancy';
import { detectTransactionPooler } from '../../libs/tenancy/src/connection/pooler-check';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';
import { describeWithPgBouncer, usePgBouncer } from '../support/pgbouncer';
import { bootApp, provisionTenant } from '../support/tenancy-app';

const SESSION_REFUSED =
  /TENANCY_SCOPE_MODE \(option scopeMode\) is session.*transaction-pooling proxy.*scopeMode: 'transaction' \(TENANCY_SCOPE_MODE=transaction\)/s;

// Issue 15 item 2: the connection route is checked at start-up, against a real PgBouncer.
describeWithPgBouncer('pooler self-test at boot (PgBouncer transaction pooling)', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const bareRole = useOrdinaryRole(db); // without the role-level empty search_path
  const bouncer = usePgBouncer(2);
  let app: INestApplication | undefined;
  beforeAll(async () => {
    await bouncer().allow(role.role, bareRole.role);
    // Before PgBouncer opens any server connection for the role: a role setting applies to new sessions.
    await pgAdmin(db.url, `ALTER ROLE "${role.role}" IN DATABASE "${db.name}" SET search_path = ''`);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const boot = (strategy: 'schema' | 'rls', scopeMode: 'session' | 'transaction', url: string) =>
    bootApp(
      ordersAppModule({
        databaseUrl: url,
        isolationStrategy: strategy,
        scopeMode,
        entities: [Order, Customer],
        poolSize: 2,
        cacheEnabled: false,
      }),
    );

  it('tells a transaction pooler from a direct connection', async () => {
    const probe = async (url: string) => {
      const ds = await new DataSource({ type: 'postgres', url }).initialize();
      try {
        return await detectTransactionPooler(ds);
      } finally {
        await ds.destroy();
      }
    };
    expect(await probe(db.url)).toBeUndefined();
    expect(await probe(bouncer().through(db.url))).toEqual(expect.any(String));
  });

  it.each(['schema', 'rls'] as const)('refuses scopeMode session behind it (%s), naming the fix', async (strategy) => {
    const url = bouncer().through(strategy === 'rls' ? role.url : db.url);
    const booting = boot(strategy, 'session', url);
    await expect(booting).rejects.toThrow(TenancyConfigError);
    await expect(booting).rejects.toThrow(SESSION_REFUSED);
  });

  it('schema mode refuses a pool whose search_path is not empty (PgBouncer drops the startup option)', async () => {
    await expect(boot('schema', 'transaction', bouncer().through(bareRole.url))).rejects.toThrow(
      /search_path = "\$user", public.*ALTER ROLE <role> IN DATABASE <database> SET search_path = ''/s,
    );
  });

  it('refuses a statementTimeoutMs the connections do not run with (PgBouncer drops the startup option)', async () => {
    const booting = bootApp(
      ordersAppModule({
        databaseUrl: bouncer().through(role.url),
        isolationStrategy: 'rls',
        scopeMode: 'transaction',
        statementTimeoutMs: 30_000,
        entities: [Order, Customer],
        poolSize: 2,
      }),
    );
    await expect(booting).rejects.toThrow(
      /statement_timeout = 0 ms, not TENANCY_STATEMENT_TIMEOUT_MS \(option statementTimeoutMs\) = 30000.*SET statement_timeout = 30000/s,
    );
  });

  it.each(['schema', 'rls'] as const)('boots in transaction scope behind it (%s) and serves', async (strategy) => {
    app = await boot(strategy, 'transaction', bouncer().through(role.url));
    await provisionTenant(app, `pc-${strategy}`, strategy);
    const server = app.getHttpServer();
    await request(server).post('/orders').set('X-Tenant-ID', `pc-${strategy}`).send({ label: 'one' }).expect(201);
    const res = await request(server).get('/orders').set('X-Tenant-ID', `pc-${strategy}`).expect(200);
    expect(res.body.map((o: Order) => o.label)).toEqual(['one']);
  });

  it('boots in session scope on a direct connection', async () => {
    app = await boot('rls', 'session', role.url);
    expect(app).toBeDefined();
  });
});

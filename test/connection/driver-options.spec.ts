import type { INestApplication } from '@nestjs/common';
import { createServer, type Server } from 'node:net';
import { TenancyError, TenantConnectionManager, loadTenancyConfig, type Tenant } from 'nestjs-tenancy';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { dropDatabasesLike } from '../reliability/support/pg-sandbox';
import { databaseTemplate, describeWith, uniqueToken, usePostgresDatabase } from '../support';
import { sharedPool } from '../support/pool-inspection';
import { bootApp, provisionTenant } from '../support/tenancy-app';

/** Accepts TCP and hangs up at once, counting the tries. */
async function hangUpServer(): Promise<{ server: Server; port: number; tries: () => number }> {
  let tries = 0;
  const server = createServer((socket) => {
    tries++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, tries: () => tries };
}

// Issue 15 item 4: TypeORM / driver options pass through; an unreachable root database fails
// start-up with bounded retries and a message naming TENANCY_DATABASE_URL and the host.
describeWith('postgres', 'driver options passthrough and start-up retries', () => {
  const db = usePostgresDatabase();
  const prefix = `dp${uniqueToken().slice(-8)}_`;
  afterAll(async () => dropDatabasesLike(db.adminUrl, prefix));

  it('an unreachable TENANCY_DATABASE_URL fails after the bounded retries, naming the variable and host, never the password', async () => {
    const hangUp = await hangUpServer();
    try {
      const options = loadTenancyConfig({
        TENANCY_DATABASE_URL: `postgresql://app:s3cret-pw@127.0.0.1:${hangUp.port}/appdb`,
        TENANCY_TYPEORM: '{"retryAttempts":2,"retryDelay":20}',
      });
      const error = await bootApp(ordersAppModule({ ...options, entities: [Order, Customer] })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TenancyError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^Could not connect to TENANCY_DATABASE_URL \\(option databaseUrl\\) at postgresql://app@127\\.0\\.0\\.1:${hangUp.port}/appdb after 3 attempt\\(s\\): `,
        ),
      );
      expect((error as Error).message).not.toContain('s3cret-pw');
      expect(hangUp.tries()).toBe(3);
    } finally {
      hangUp.server.close();
    }
  });

  it('ssl reaches the driver (this server has ssl off, so ssl: true is refused by it)', async () => {
    const booting = bootApp(
      ordersAppModule({ databaseUrl: db.url, entities: [Order, Customer], typeorm: { ssl: true, retryAttempts: 0 } }),
    );
    await expect(booting).rejects.toThrow(/after 1 attempt\(s\): The server does not support SSL connections/);
  });

  describe('applicationName and extra on the shared pool and tenant databases', () => {
    const appName = `tt-passthrough-${uniqueToken()}`;
    let app: INestApplication;
    let schemaTenant: Tenant;
    let databaseTenant: Tenant;
    beforeAll(async () => {
      app = await bootApp(
        ordersAppModule({
          databaseUrl: db.url,
          isolationStrategy: 'hybrid',
          premiumIsolationStrategy: 'database',
          standardIsolationStrategy: 'schema',
          databaseUrlTemplate: databaseTemplate(db.adminUrl),
          databasePrefix: prefix,
          entities: [Order, Customer],
          poolSize: 2,
          typeorm: { applicationName: appName, logging: false, extra: { options: '-c work_mem=8MB' } },
        }),
      );
      schemaTenant = await provisionTenant(app, 'dp-schema', 'schema');
      databaseTenant = await provisionTenant(app, 'dp-database', 'database');
    });
    afterAll(() => app?.close());

    const SETTINGS =
      "SELECT current_setting('application_name') AS app, current_setting('work_mem') AS mem, current_setting('search_path') AS path";

    it('the shared pool carries them, and keeps its own empty search_path', async () => {
      const client = await sharedPool(app).connect();
      try {
        expect((await client.query(SETTINGS)).rows).toEqual([{ app: appName, mem: '8MB', path: '' }]);
      } finally {
        client.release();
      }
    });

    it.each(['schema', 'database'])('a %s tenant runs with them', async (kind) => {
      const tenant = kind === 'schema' ? schemaTenant : databaseTenant;
      const ds = await app.get(TenantConnectionManager).getDataSource(tenant);
      const [row] = (await ds.query(SETTINGS)) as Array<{ app: string; mem: string }>;
      expect([row.app, row.mem]).toEqual([appName, '8MB']);
    });
  });
});

/**
 * @jest-environment ./test/reliability/support/host-process.environment.js
 */
import { DataSource, Entity, PrimaryGeneratedColumn, type DataSourceOptions } from 'typeorm';
import { resolveTenancyOptions } from '../../libs/tenancy/src/config/resolve-tenancy-options';
import { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import { TenantDatabaseOptions } from '../../libs/tenancy/src/connection/tenant-database.options';
import type { Tenant } from '../../libs/tenancy/src/models/tenant.model';
import { dataSourceOptionsFromUrl } from '../../libs/tenancy/src/store/data-source-options.util';
import { TypeOrmTenantStore } from '../../libs/tenancy/src/store/typeorm-tenant.store';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import { PgTrapProxy } from './support/pg-trap-proxy';
import { trackUnhandled } from './support/unhandled';

@Entity('tokens')
class Token {
  @PrimaryGeneratedColumn('uuid')
  id!: string;
}

/**
 * A pg client emits 'error' when its backend dies; with no listener at that moment the process
 * goes down. These tests put a client of each pool the library owns in the windows where
 * pg-pool and TypeORM leave it without one, kill its backend exactly there, and require a clean
 * failure (or none), no uncaught error, and the dead client discarded.
 */
describeWith('postgres', 'pg clients whose backend dies where nobody listens', () => {
  const db = usePostgresDatabase();
  let proxy: PgTrapProxy;
  let proxyUrl: string;
  const opened: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    const target = new URL(db.url);
    proxy = await new PgTrapProxy(target.hostname, Number(target.port || 5432), async (pid) => {
      await pgAdmin(db.adminUrl, `SELECT pg_terminate_backend(${pid})`);
    }).start();
    target.port = String(proxy.port);
    proxyUrl = target.toString();
  });
  afterEach(async () => {
    for (const close of opened.splice(0)) await close();
  });
  afterAll(() => proxy?.close());

  const track = <T extends { destroy(): Promise<unknown> }>(x: T): T => (opened.push(() => x.destroy()), x);
  const pids = async (ds: DataSource, n: number) =>
    (await Promise.all(Array.from({ length: n }, () => ds.query('SELECT pg_backend_pid() AS pid, 1 AS one')))).map(
      (rows: Array<{ pid: number; one: number }>) => rows[0],
    );

  /** Every pool the library creates, each built the way the library builds it, on the proxy. */
  const owners: Array<[string, () => Promise<DataSource>]> = [
    ['options from dataSourceOptionsFromUrl', () => new DataSource(dataSourceOptionsFromUrl(proxyUrl)).initialize()],
    [
      'the root pool (TenancyDataSources)',
      async () => {
        const sources = await TenancyDataSources.connect(
          resolveTenancyOptions({ databaseUrl: proxyUrl, isolationStrategy: 'schema', poolSize: 2 }),
          [],
        );
        return sources.root;
      },
    ],
    [
      "the store's own DataSource (TypeOrmTenantStore.open)",
      async () => {
        const store = await TypeOrmTenantStore.open(proxyUrl, { extra: { application_name: 'store' } });
        return (store as unknown as { dataSource: DataSource }).dataSource;
      },
    ],
    [
      'a database-per-tenant DataSource (TenantDatabaseOptions)',
      () => {
        const options = new TenantDatabaseOptions(
          resolveTenancyOptions({
            databaseUrl: proxyUrl,
            databaseUrlTemplate: proxyUrl.replace(/\/[^/]*$/, '/{database_name}'),
            isolationStrategy: 'database',
            poolSize: 2,
          }),
        );
        const tenant = { id: 't1', identifier: 't1', databaseUrl: proxyUrl } as Tenant;
        return new DataSource(options.forTenant(tenant, [])).initialize();
      },
    ],
  ];

  describe.each(owners)('%s', (_name, open) => {
    it('a new connection killed as it becomes ready (ready and FATAL read together): the checkout fails cleanly, the client is discarded', async () => {
      const unhandled = trackUnhandled();
      try {
        const ds = track(await open());
        const holder = ds.createQueryRunner();
        await holder.connect(); // the idle connection is taken: the next query opens a new one
        const killed = proxy.killNextConnectionAtReady();
        const outcome = ds.query('SELECT 1').then(
          () => 'answered',
          (error: Error) => error.message,
        );
        const pid = await killed;
        expect(await outcome).toBe('Client has encountered a connection error and is not queryable');
        await holder.release();
        const after = await pids(ds, 2);
        expect(after.map((r) => r.one)).toEqual([1, 1]);
        expect(after.map((r) => r.pid)).not.toContain(pid);
        expect(unhandled.reasons).toEqual([]);
      } finally {
        unhandled.stop();
      }
    });
  });

  it("TypeORM's afterConnect: a backend killed as its CREATE EXTENSION finishes does not crash start-up; the client is discarded", async () => {
    const unhandled = trackUnhandled();
    try {
      const killed = proxy.killAfterQuery('CREATE EXTENSION');
      const options = dataSourceOptionsFromUrl(proxyUrl, { entities: [Token] } as Partial<DataSourceOptions>);
      const ds = track(await new DataSource(options).initialize());
      const pid = await killed;
      const after = await pids(ds, 2);
      expect(after.map((r) => r.one)).toEqual([1, 1]);
      expect(after.map((r) => r.pid)).not.toContain(pid);
      expect(unhandled.reasons).toEqual([]);
    } finally {
      unhandled.stop();
    }
  });
});

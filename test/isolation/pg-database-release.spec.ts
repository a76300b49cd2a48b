import { Column, Entity, PrimaryGeneratedColumn, type DataSource, type QueryRunner } from 'typeorm';
import { resolveTenancyOptions } from '../../libs/tenancy/src/config/resolve-tenancy-options';
import { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { TenantDatabaseOptions } from '../../libs/tenancy/src/connection/tenant-database.options';
import { TenantContext } from '../../libs/tenancy/src/context/tenant-context';
import { testTenant } from '../../libs/tenancy/src/testing/test-tenant';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';

@Entity('orders')
class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

interface PooledClient {
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
  release(): void;
}

/**
 * Database-per-tenant on PostgreSQL: a tenant's DataSource has a pool of its own, and a connection
 * released inside an open (or failed) transaction must not go back to it in that transaction
 * (issue 11). Pool size 1: the next checkout is the same backend.
 */
describeWith('postgres', 'database strategy: connections go back to the tenant pool outside any transaction', () => {
  const registry = usePostgresDatabase();
  const tenantDb = usePostgresDatabase();
  let manager: TenantConnectionManager;
  let ds: DataSource;

  beforeAll(async () => {
    await pgAdmin(tenantDb.url, 'CREATE TABLE orders (id serial primary key, label text not null)');
    const options = resolveTenancyOptions({
      databaseUrl: registry.url,
      isolationStrategy: 'database',
      databaseUrlTemplate: registry.url.replace(/\/[^/]*$/, '/{database_name}'),
      entities: [Order],
      poolSize: 1,
    });
    const sources = await TenancyDataSources.connect(options, []);
    manager = new TenantConnectionManager(options, sources, new TenantContext(), new TenantDatabaseOptions(options));
    await manager.onModuleInit();
    ds = await manager.getDataSource(testTenant('acme', { isolationStrategy: 'database', databaseUrl: tenantDb.url }));
  });
  afterAll(() => manager?.onApplicationShutdown());

  /** The next checkout of the tenant pool's only connection. */
  async function nextCheckout<T>(fn: (client: PooledClient) => Promise<T>): Promise<T> {
    const pool = (ds.driver as unknown as { master: { connect(): Promise<PooledClient> } }).master;
    const client = await pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  async function expectNoTransactionLeft(): Promise<void> {
    await nextCheckout(async (client) => {
      await expect(client.query('SAVEPOINT probe')).rejects.toThrow(/can only be used in transaction blocks/);
      const { rows } = await client.query("SELECT count(*)::int AS n FROM orders WHERE label = 'uncommitted'");
      expect(rows[0]).toEqual({ n: 0 });
    });
  }

  async function onRunner(work: (runner: QueryRunner) => Promise<unknown>): Promise<void> {
    const runner = ds.createQueryRunner();
    try {
      await work(runner);
    } finally {
      await runner.release();
    }
  }

  it('rolls back a manual QueryRunner released inside its transaction', async () => {
    await onRunner(async (runner) => {
      await runner.startTransaction();
      await runner.manager.getRepository(Order).save({ label: 'uncommitted' });
    });
    await expectNoTransactionLeft();
  });

  it('rolls back a transaction left failed by a statement', async () => {
    await onRunner(async (runner) => {
      await runner.startTransaction();
      await runner.manager.getRepository(Order).save({ label: 'uncommitted' });
      await expect(runner.query('SELECT 1/0')).rejects.toThrow(/division by zero/);
    });
    await expectNoTransactionLeft();
    // The pool serves the next unit of work as usual.
    await ds.getRepository(Order).save({ label: 'kept' });
    expect(await ds.getRepository(Order).countBy({ label: 'kept' })).toBe(1);
  });

  it('rolls back a transaction opened with a raw BEGIN', async () => {
    await onRunner(async (runner) => {
      await runner.query('BEGIN');
      await runner.query("INSERT INTO orders (label) VALUES ('uncommitted')");
    });
    await expectNoTransactionLeft();
  });

  it('sends nothing extra on release outside a transaction', async () => {
    const sent: string[] = [];
    await nextCheckout(async (client) => {
      const original = client.query;
      client.query = function (this: PooledClient, ...args: [string]) {
        sent.push(typeof args[0] === 'string' ? args[0] : 'query object');
        return original.apply(this, args);
      };
      Object.assign(client, { restore: () => (client.query = original) });
    });
    await ds.getRepository(Order).find();
    await onRunner((runner) => runner.manager.getRepository(Order).count());
    await nextCheckout(async (client) => (client as unknown as { restore(): void }).restore());
    expect(sent).toHaveLength(2);
    expect(sent.every((sql) => sql.includes('"orders"'))).toBe(true);
  });
});

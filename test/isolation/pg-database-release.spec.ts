import { Column, Entity, PrimaryGeneratedColumn, type DataSource, type QueryRunner } from 'typeorm';
import type { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { testTenant } from '../../libs/tenancy/src/testing/test-tenant';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import {
  connectManager,
  nextCheckout as checkout,
  onRunner as runOn,
  recordStatements,
  type PooledClient,
} from './support/connection-manager';

@Entity('orders')
class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
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
    ({ manager } = await connectManager({
      databaseUrl: registry.url,
      isolationStrategy: 'database',
      databaseUrlTemplate: registry.url.replace(/\/[^/]*$/, '/{database_name}'),
      entities: [Order],
      poolSize: 1,
    }));
    ds = await manager.getDataSource(testTenant('acme', { isolationStrategy: 'database', databaseUrl: tenantDb.url }));
  });
  afterAll(() => manager?.onApplicationShutdown());

  /** The next checkout of the tenant pool's only connection. */
  const nextCheckout = <T>(fn: (client: PooledClient) => Promise<T>): Promise<T> => checkout(ds, fn);

  async function expectNoTransactionLeft(): Promise<void> {
    await nextCheckout(async (client) => {
      await expect(client.query('SAVEPOINT probe')).rejects.toThrow(/can only be used in transaction blocks/);
      const { rows } = await client.query("SELECT count(*)::int AS n FROM orders WHERE label = 'uncommitted'");
      expect(rows[0]).toEqual({ n: 0 });
    });
  }

  const onRunner = (work: (runner: QueryRunner) => Promise<unknown>): Promise<void> => runOn(ds, work);

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
    const restore = await recordStatements(ds, sent);
    await ds.getRepository(Order).find();
    await onRunner((runner) => runner.manager.getRepository(Order).count());
    await restore();
    expect(sent).toHaveLength(2);
    expect(sent.every((sql) => sql.includes('"orders"'))).toBe(true);
  });
});

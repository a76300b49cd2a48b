import { Column, Entity, PrimaryGeneratedColumn, type DataSource, type QueryRunner } from 'typeorm';
import type { ScopeMode } from '../../libs/tenancy/src/config/tenancy-options.interface';
import type { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
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
 * A connection goes back to the pool with no open transaction and none of the session state a
 * tenant's raw SQL left (issue 11). Pool size 1: the next checkout is the same backend.
 */
describe.each<ScopeMode>(['session', 'transaction'])('connection hygiene on release (scopeMode %s)', (scopeMode) => {
  describeWith('postgres', 'PostgreSQL schema views', () => {
    const db = usePostgresDatabase();
    let manager: TenantConnectionManager;
    let sources: TenancyDataSources;
    let ds: DataSource;

    beforeAll(async () => {
      await pgAdmin(
        db.url,
        'CREATE SCHEMA t_acme',
        'CREATE SCHEMA t_beta',
        'CREATE TABLE t_acme.orders (id serial primary key, label text not null)',
        'CREATE TABLE t_beta.orders (id serial primary key, label text not null)',
      );
      ({ manager, sources } = await connectManager({ databaseUrl: db.url, entities: [Order], poolSize: 1, scopeMode }));
      ds = await manager.getDataSource(testTenant('acme'));
    });
    afterAll(() => manager?.onApplicationShutdown());

    /** The next checkout of the pool's only connection. */
    const nextCheckout = <T>(fn: (client: PooledClient) => Promise<T>): Promise<T> => checkout(sources.root, fn);
    const one = async (client: PooledClient, sql: string) => (await client.query(sql)).rows[0];

    async function expectNoTransactionLeft(): Promise<void> {
      await nextCheckout(async (client) => {
        await expect(client.query('SAVEPOINT probe')).rejects.toThrow(/can only be used in transaction blocks/);
        expect(await one(client, "SELECT count(*)::int AS n FROM t_acme.orders WHERE label = 'uncommitted'")).toEqual({
          n: 0,
        });
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
    });

    it('rolls back a transaction opened with a raw BEGIN', async () => {
      await onRunner(async (runner) => {
        await runner.query('BEGIN');
        await runner.query("INSERT INTO orders (label) VALUES ('uncommitted')");
      });
      await expectNoTransactionLeft();
    });

    it.each([
      ['a temporary table', 'CREATE TEMP TABLE scratch AS SELECT 1 AS x', "SELECT to_regclass('pg_temp.scratch') AS v"],
      [
        'an advisory lock',
        'SELECT pg_advisory_lock(4242)',
        "SELECT count(*)::int AS v FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
      ],
      ['a setting', "SET statement_timeout = '4321'", 'SHOW statement_timeout'],
      ['a LISTEN', 'LISTEN tenant_events', 'SELECT count(*)::int AS v FROM pg_listening_channels()'],
      ['a cursor', 'DECLARE leftover CURSOR WITH HOLD FOR SELECT 1', 'SELECT count(*)::int AS v FROM pg_cursors'],
    ])('does not hand %s to the next checkout', async (_kind, leave, probe) => {
      const before = await nextCheckout((client) => one(client, probe.replace(/ AS \w+/, ' AS v')));
      await onRunner((runner) => runner.query(leave));
      expect(await nextCheckout((client) => one(client, probe))).toEqual(before);
    });

    it('sends nothing extra on release when only the ORM ran', async () => {
      const sent: string[] = [];
      const restore = await recordStatements(sources.root, sent);
      await ds.getRepository(Order).find();
      await onRunner((runner) => runner.manager.getRepository(Order).count());
      await restore();
      expect(sent).toHaveLength(2);
      expect(sent.every((sql) => sql.includes('"t_acme"."orders"'))).toBe(true);
    });
  });
});

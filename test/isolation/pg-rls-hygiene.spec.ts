import { Client } from 'pg';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource, type QueryRunner } from 'typeorm';
import type { ScopeMode } from '../../libs/tenancy/src/config/tenancy-options.interface';
import type { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import type { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { TenantScopedEntity } from '../../libs/tenancy/src/isolation/tenant-scoped.entity';
import { testTenant } from '../../libs/tenancy/src/testing/test-tenant';
import { describeWith, useOrdinaryRole, usePostgresDatabase } from '../support';
import {
  connectManager,
  nextCheckout as checkout,
  onRunner as runOn,
  type PooledClient,
} from './support/connection-manager';

@Entity('memos')
class Memo extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
}

/** Under RLS too, a connection returns with no open transaction and no session state of the tenant (issue 11). */
describe.each<ScopeMode>(['session', 'transaction'])('RLS connection hygiene (scopeMode %s)', (scopeMode) => {
  describeWith('postgres', 'PostgreSQL', () => {
    const db = usePostgresDatabase();
    const role = useOrdinaryRole(db);
    let manager: TenantConnectionManager;
    let sources: TenancyDataSources;
    let ds: DataSource;
    const acme = testTenant('acme', { isolationStrategy: 'rls' });

    beforeAll(async () => {
      ({ manager, sources } = await connectManager({
        databaseUrl: role.url,
        isolationStrategy: 'rls',
        entities: [Memo],
        poolSize: 1,
        scopeMode,
      }));
      ds = await manager.getDataSource(acme);
    });
    afterAll(() => manager?.onApplicationShutdown());

    const nextCheckout = <T>(fn: (client: PooledClient) => Promise<T>): Promise<T> => checkout(sources.root, fn);
    const onRunner = (work: (runner: QueryRunner) => Promise<unknown>): Promise<void> => runOn(ds, work);

    it('rolls back a manual QueryRunner released inside its transaction', async () => {
      await onRunner(async (runner) => {
        await runner.startTransaction();
        await runner.manager.getRepository(Memo).save({ body: 'uncommitted' });
      });
      await nextCheckout(async (client) => {
        await expect(client.query('SAVEPOINT probe')).rejects.toThrow(/can only be used in transaction blocks/);
        await client.query('BEGIN');
        await client.query("SELECT set_config('app.current_tenant', $1, true)", [acme.id]);
        const { rows } = await client.query("SELECT count(*)::int AS n FROM public.memos WHERE body = 'uncommitted'");
        await client.query('ROLLBACK');
        expect(rows).toEqual([{ n: 0 }]);
      });
    });

    const noTenant = { tenant: '', search_path: '' };
    const stateSql =
      "SELECT coalesce(current_setting('app.current_tenant', true), '') AS tenant, current_setting('search_path') AS search_path";

    it('a pooled connection borrowed past the tenant views carries no tenant (pool.connect, pool.query, root)', async () => {
      await ds.getRepository(Memo).find();
      expect(await nextCheckout(async (client) => (await client.query(stateSql)).rows[0])).toEqual(noTenant);
      await ds.getRepository(Memo).find();
      const pool = (sources.root.driver as unknown as { master: { query(s: string): Promise<{ rows: unknown[] }> } })
        .master;
      expect((await pool.query(stateSql)).rows[0]).toEqual(noTenant);
      await ds.getRepository(Memo).find();
      expect((await sources.root.query(stateSql))[0]).toEqual(noTenant);
      await ds.getRepository(Memo).find();
      expect((await sources.sharedRls!.query(stateSql))[0]).toEqual(noTenant);
    });

    it('another tenant on the same connection sees only its own rows', async () => {
      const globex = testTenant('globex', { isolationStrategy: 'rls' });
      await ds.getRepository(Memo).save({ body: 'acme only' });
      const other = await manager.getDataSource(globex);
      expect(await other.getRepository(Memo).find()).toEqual([]);
      expect((await ds.getRepository(Memo).find()).map((m) => m.body)).toContain('acme only');
    });

    it('resets session state left by raw SQL, and the tenant setting with it', async () => {
      await onRunner(async (runner) => {
        await runner.query('CREATE TEMP TABLE scratch AS SELECT 1 AS x');
        await runner.query("SET statement_timeout = '4321'");
      });
      const left = await nextCheckout(
        async (client) =>
          (
            await client.query(
              "SELECT to_regclass('pg_temp.scratch') AS temp, current_setting('statement_timeout') AS timeout, " +
                "coalesce(current_setting('app.current_tenant', true), '') AS tenant",
            )
          ).rows[0],
      );
      expect(left).toEqual({ temp: null, timeout: '0', tenant: '' });
    });
  });
});

/** Session mode: the tenant setting travels with the connection, set only when it changes (issue 13). */
describeWith('postgres', 'PostgreSQL', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  let manager: TenantConnectionManager;
  const acme = testTenant('acme', { isolationStrategy: 'rls' });

  beforeAll(async () => {
    ({ manager } = await connectManager({
      databaseUrl: role.url,
      isolationStrategy: 'rls',
      entities: [Memo],
      poolSize: 1,
    }));
  });
  afterAll(() => manager?.onApplicationShutdown());

  it('an ORM query on a connection already carrying the tenant is one statement', async () => {
    const ds = await manager.getDataSource(acme);
    await ds.getRepository(Memo).find(); // the only connection now carries acme
    const sent: string[] = [];
    const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    proto.query = function (this: unknown, ...args: unknown[]) {
      sent.push(String((args[0] as { text?: string })?.text ?? args[0]));
      return original.apply(this, args);
    };
    try {
      await ds.getRepository(Memo).find();
    } finally {
      proto.query = original;
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^SELECT .* FROM "public"\."memos"/);
  });
});

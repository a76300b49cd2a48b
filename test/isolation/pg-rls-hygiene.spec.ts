import { Column, Entity, PrimaryGeneratedColumn, type DataSource, type QueryRunner } from 'typeorm';
import { resolveTenancyOptions } from '../../libs/tenancy/src/config/resolve-tenancy-options';
import type { ScopeMode } from '../../libs/tenancy/src/config/tenancy-options.interface';
import { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { TenantDatabaseOptions } from '../../libs/tenancy/src/connection/tenant-database.options';
import { TenantContext } from '../../libs/tenancy/src/context/tenant-context';
import { TenantScopedEntity } from '../../libs/tenancy/src/isolation/tenant-scoped.entity';
import { testTenant } from '../../libs/tenancy/src/testing/test-tenant';
import { describeWith, useOrdinaryRole, usePostgresDatabase } from '../support';

@Entity('memos')
class Memo extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
}

interface PooledClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  release(): void;
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
      const options = resolveTenancyOptions({
        databaseUrl: role.url,
        isolationStrategy: 'rls',
        entities: [Memo],
        poolSize: 1,
        scopeMode,
      });
      sources = await TenancyDataSources.connect(options, []);
      manager = new TenantConnectionManager(options, sources, new TenantContext(), new TenantDatabaseOptions(options));
      await manager.onModuleInit();
      ds = await manager.getDataSource(acme);
    });
    afterAll(() => manager?.onApplicationShutdown());

    async function nextCheckout<T>(fn: (client: PooledClient) => Promise<T>): Promise<T> {
      const pool = (sources.root.driver as unknown as { master: { connect(): Promise<PooledClient> } }).master;
      const client = await pool.connect();
      try {
        return await fn(client);
      } finally {
        client.release();
      }
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

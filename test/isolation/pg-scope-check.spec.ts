import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { resolveTenancyOptions } from '../../libs/tenancy/src/config/resolve-tenancy-options';
import type { ScopeMode } from '../../libs/tenancy/src/config/tenancy-options.interface';
import { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { TenantDatabaseOptions } from '../../libs/tenancy/src/connection/tenant-database.options';
import { TenantContext } from '../../libs/tenancy/src/context/tenant-context';
import { TenancyError } from '../../libs/tenancy/src/errors/tenancy.error';
import type { PgClient } from '../../libs/tenancy/src/connection/shared-pool-view';
import { SET_TENANT_LOCAL, setTenant } from '../../libs/tenancy/src/isolation/pg-session-scope';
import { TenantScopedEntity } from '../../libs/tenancy/src/isolation/tenant-scoped.entity';
import { testTenant } from '../../libs/tenancy/src/testing/test-tenant';
import { describeWith, pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';

@Entity('orders')
class Order extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

async function boot(url: string, isolationStrategy: 'schema' | 'rls', scopeMode: ScopeMode) {
  const options = resolveTenancyOptions({
    databaseUrl: url,
    isolationStrategy,
    entities: [Order],
    poolSize: 2,
    scopeMode,
  });
  const sources = await TenancyDataSources.connect(options, []);
  const manager = new TenantConnectionManager(
    options,
    sources,
    new TenantContext(),
    new TenantDatabaseOptions(options),
  );
  await manager.onModuleInit();
  return manager;
}

/** Every statement refused here would otherwise have changed or left the view's tenant scope. */
async function expectRefused(manager: TenantConnectionManager, ds: DataSource, sql: string, cause: RegExp) {
  const before = manager.getMetrics().scopeViolations;
  const runner = ds.createQueryRunner();
  try {
    const refusal = runner.query(sql);
    await expect(refusal).rejects.toThrow(TenancyError);
    await expect(refusal).rejects.toThrow(cause);
  } finally {
    await runner.release();
  }
  expect(manager.getMetrics().scopeViolations).toBe(before + 1);
}

const SCOPE_CHANGES: Array<[string, RegExp]> = [
  ["SET search_path = 't_beta'", /may not change search_path/],
  ['SET ROLE postgres', /may not change search_path, app.current_tenant, the role/],
  ["SELECT set_config('app.current_tenant', 'x', false)", /may not change/],
  ['RESET ALL', /may not change/],
];

/** Issue 11: the scoping check at the bottom of the connection layer, counted in metrics. */
describe.each<ScopeMode>(['session', 'transaction'])('scoping check (scopeMode %s)', (scopeMode) => {
  describeWith('postgres', 'schema', () => {
    const db = usePostgresDatabase();
    let manager: TenantConnectionManager;
    let ds: DataSource;

    beforeAll(async () => {
      for (const schema of ['t_acme', 't_beta']) {
        await pgAdmin(
          db.url,
          `CREATE SCHEMA ${schema}`,
          `CREATE TABLE ${schema}.orders (id serial primary key, label text not null, tenant_id uuid)`,
          `INSERT INTO ${schema}.orders (label) VALUES ('${schema}')`,
        );
      }
      manager = await boot(db.url, 'schema', scopeMode);
      ds = await manager.getDataSource(testTenant('acme'));
    });
    afterAll(() => manager?.onApplicationShutdown());

    it.each<[string, RegExp]>([
      ['SELECT label FROM t_beta.orders', /names the schema t_beta/],
      ['SELECT label FROM "t_beta"."orders"', /names the schema "t_beta"/],
      ['SELECT label FROM __tenancy_schema__.orders', /placeholder schema __tenancy_schema__ unquoted/],
      ...SCOPE_CHANGES,
    ])('refuses %s', (sql, cause) => expectRefused(manager, ds, sql, cause));

    it('refuses TypeORM-generated SQL that still names the placeholder (the ORM check, which needs no connection)', async () => {
      const before = manager.getMetrics().scopeViolations;
      const runner = ds.createQueryRunner();
      try {
        await expect(runner.query('SELECT label FROM __tenancy_schema__.orders', [], true)).rejects.toThrow(
          /placeholder schema __tenancy_schema__ unquoted/,
        );
        const rows = (await runner.query('SELECT label FROM "__tenancy_schema__".orders', [], true)) as {
          records: unknown[];
        };
        expect(rows.records).toEqual([{ label: 't_acme' }]);
      } finally {
        await runner.release();
      }
      expect(manager.getMetrics().scopeViolations).toBe(before + 1);
    });

    it("allows the tenant's own schema, named or not", async () => {
      expect(await ds.query('SELECT label FROM t_acme.orders')).toEqual([{ label: 't_acme' }]);
      expect(await ds.query('SELECT label FROM "__tenancy_schema__".orders o WHERE o.id = 1')).toEqual([
        { label: 't_acme' },
      ]);
      expect(await ds.query('SHOW search_path')).toEqual([{ search_path: '"t_acme"' }]);
    });

    it("refuses another view's runner passed to query()", async () => {
      const other = await manager.getDataSource(testTenant('beta'));
      const runner = other.createQueryRunner();
      const before = manager.getMetrics().scopeViolations;
      try {
        await expect(ds.query('SELECT label FROM orders', [], runner)).rejects.toThrow(/runner of another DataSource/);
      } finally {
        await runner.release();
      }
      expect(manager.getMetrics().scopeViolations).toBe(before + 1);
    });
  });

  describeWith('postgres', 'RLS', () => {
    const db = usePostgresDatabase();
    const role = useOrdinaryRole(db);
    let manager: TenantConnectionManager;
    let ds: DataSource;

    beforeAll(async () => {
      manager = await boot(role.url, 'rls', scopeMode);
      ds = await manager.getDataSource(testTenant('acme', { isolationStrategy: 'rls' }));
    });
    afterAll(() => manager?.onApplicationShutdown());

    it.each<[string, RegExp]>([
      ...SCOPE_CHANGES,
      ["SET app.current_tenant = '00000000-0000-4000-8000-000000000000'", /may not change/],
    ])('refuses %s', (sql, cause) => expectRefused(manager, ds, sql, cause));

    it('lets ORM and raw SQL through when the connection carries the view tenant', async () => {
      await ds.getRepository(Order).save({ label: 'mine' });
      expect(await ds.query('SELECT label FROM orders')).toEqual([{ label: 'mine' }]);
      expect(manager.getMetrics().scopeViolations).toBe(SCOPE_CHANGES.length + 1);
    });

    it('refuses a statement on a connection the library last scoped to another tenant', async () => {
      const before = manager.getMetrics().scopeViolations;
      const runner = ds.createQueryRunner();
      try {
        await runner.startTransaction();
        // What a library bug would do: the connection now carries another tenant.
        const client = (await runner.connect()) as PgClient;
        await setTenant(client, SET_TENANT_LOCAL, testTenant('beta').id, '"public"');
        await expect(runner.manager.getRepository(Order).find()).rejects.toThrow(/carries another tenant/);
      } finally {
        await runner.release();
      }
      expect(manager.getMetrics().scopeViolations).toBe(before + 1);
    });
  });
});

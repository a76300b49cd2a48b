import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import type { ScopeMode } from '../../libs/tenancy/src/config/tenancy-options.interface';
import type { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { TenancyError } from '../../libs/tenancy/src/errors/tenancy.error';
import type { PgClient } from '../../libs/tenancy/src/connection/shared-pool-view';
import { SET_TENANT_LOCAL, setTenant } from '../../libs/tenancy/src/isolation/pg-session-scope';
import { TenantScopedEntity } from '../../libs/tenancy/src/isolation/tenant-scoped.entity';
import { testTenant } from '../../libs/tenancy/src/testing/test-tenant';
import { describeWith, pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';
import { connectManager } from './support/connection-manager';

@Entity('orders')
class Order extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

async function boot(url: string, isolationStrategy: 'schema' | 'rls', scopeMode: ScopeMode) {
  return (await connectManager({ databaseUrl: url, isolationStrategy, entities: [Order], poolSize: 2, scopeMode }))
    .manager;
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
  // Forms the text check once missed (issue 11): comments, quoted names, computed names, pg_settings.
  ['SET/**/ROLE postgres', /may not change/],
  ['SET SESSION AUTHORIZATION DEFAULT', /may not change/],
  ['DISCARD ALL', /may not change/],
  ['SET "search_path" = t_beta', /may not change/],
  ["SELECT \"set_config\"('app.current_tenant', 'x', false)", /may not change/],
  ["SELECT set_config($1, 'x', false)", /may not change/],
  ["SELECT set_config('app.' || 'current_tenant', 'x', false)", /may not change/],
  ["UPDATE pg_settings SET setting = 'x' WHERE name = 'app.current_tenant'", /may not change/],
  ["ALTER ROLE CURRENT_USER SET app.current_tenant = 'x'", /may not change/],
  ["DO $$ BEGIN PERFORM set_config('app.current_tenant', 'x', false); END $$", /may not change/],
];

/** Raw SQL through a schema-mode view reaching the tenants registry (with database URLs) or another schema. */
const REGISTRY_READS: Array<[string, RegExp]> = [
  ['SELECT * FROM public.tenants', /names the schema public/],
  ['SELECT * FROM "public"."tenants"', /names the schema public/],
  ['SELECT o.label, t.* FROM orders o, public.tenants t', /names the schema public/],
  ['SELECT o.label FROM orders o, t_beta.orders b', /names the schema t_beta/],
  ['SELECT * FROM/**/public.tenants', /names the schema public/],
  ['SELECT * FROM orders WHERE EXISTS (SELECT 1 FROM public.tenants)', /names the schema public/],
  ['SELECT * FROM orders o JOIN LATERAL (SELECT * FROM public.tenants) t ON true', /names the schema public/],
  ['UPDATE orders SET label = t.identifier FROM public.tenants t', /names the schema public/],
  ['SELECT * FROM audit.events', /names the schema audit/],
];

/** Issue 11: the scoping check at the bottom of the connection layer, counted in metrics. */
describe.each<ScopeMode>(['session', 'transaction'])('scoping check (scopeMode %s)', (scopeMode) => {
  describeWith('postgres', 'schema', () => {
    const db = usePostgresDatabase();
    const acme = testTenant('acme');
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
      // What a registry holds: tenants and their database URLs.
      await pgAdmin(
        db.url,
        'CREATE TABLE public.tenants (identifier text, database_url text)',
        "INSERT INTO public.tenants VALUES ('beta', 'postgresql://secret@db/beta')",
      );
      manager = await boot(db.url, 'schema', scopeMode);
      ds = await manager.getDataSource(acme);
    });
    afterAll(() => manager?.onApplicationShutdown());

    it.each<[string, RegExp]>([
      ['SELECT label FROM t_beta.orders', /names the schema t_beta/],
      ['SELECT label FROM "t_beta"."orders"', /names the schema t_beta/],
      ['SELECT label FROM __tenancy_schema__.orders', /placeholder schema __tenancy_schema__ unquoted/],
      ...SCOPE_CHANGES,
      ...REGISTRY_READS,
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

    it('keeps the tenants registry out of reach of raw SQL on the DataSource, EntityManager and QueryRunner', async () => {
      const sql = 'SELECT identifier FROM orders o, public.tenants t';
      const runner = ds.createQueryRunner();
      try {
        for (const run of [() => ds.query(sql), () => ds.manager.query(sql), () => runner.query(sql)])
          await expect(run()).rejects.toThrow(/names the schema public/);
      } finally {
        await runner.release();
      }
    });

    it('lets column qualifiers, functions and literals through', async () => {
      expect(
        await ds.query(
          "SELECT o.label, pg_catalog.length(o.label) AS n, 'a, public.tenants' AS s FROM orders o " +
            'WHERE o.id IS DISTINCT FROM NULL AND extract(year FROM now()) > 2000',
        ),
      ).toEqual([{ label: 't_acme', n: 6, s: 'a, public.tenants' }]);
    });

    it('scopes the next raw statement again after raw SQL that switched search_path in a way the text check cannot see', async () => {
      const dynamic = "DO $$ BEGIN EXECUTE 'SET search_' || 'path TO t_beta'; END $$";
      const seen = await manager.transaction(async (em) => {
        await em.query(dynamic);
        return em.query('SELECT label FROM orders');
      }, acme);
      expect(seen).toEqual([{ label: 't_acme' }]);
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

    const acme = testTenant('acme', { isolationStrategy: 'rls' });
    const beta = testTenant('beta', { isolationStrategy: 'rls' });

    beforeAll(async () => {
      manager = await boot(role.url, 'rls', scopeMode);
      ds = await manager.getDataSource(acme);
      // Hybrid: schema tenants' schemas share the database (and the runtime role) with RLS tenants.
      await pgAdmin(
        db.url,
        'CREATE SCHEMA t_gamma',
        "CREATE TABLE t_gamma.orders AS SELECT 'gamma' AS label",
        `GRANT USAGE ON SCHEMA t_gamma TO "${role.role}"`,
        `GRANT SELECT ON t_gamma.orders TO "${role.role}"`,
      );
      await (await manager.getDataSource(beta)).getRepository(Order).save({ label: 'theirs' });
    });

    it.each<[string, RegExp]>([
      ['SELECT label FROM t_gamma.orders', /names the schema t_gamma/],
      ['SELECT o.label FROM orders o, "t_gamma"."orders" g', /names the schema t_gamma/],
      ["SELECT * FROM query_to_xml('SELECT label FROM t_gamma.orders', true, true, '')", /names the schema t_gamma/],
    ])("refuses a tenant schema's table: %s", (sql, cause) => expectRefused(manager, ds, sql, cause));

    it('re-scopes the connection after raw SQL that switched the tenant in a way the text check cannot see', async () => {
      const dynamic =
        "DO $$ BEGIN EXECUTE 'SELECT set_' || 'config(''app.current_tenant'', ''" + beta.id + "'', false)'; END $$";
      const seen = await manager.transaction(async (em) => {
        await em.query(dynamic);
        return [...(await em.query('SELECT label FROM orders')), ...(await em.getRepository(Order).find())];
      }, acme);
      expect(seen.map((r: { label: string }) => r.label)).not.toContain('theirs');
    });
    afterAll(() => manager?.onApplicationShutdown());

    it.each<[string, RegExp]>([
      ...SCOPE_CHANGES,
      ["SET app.current_tenant = '00000000-0000-4000-8000-000000000000'", /may not change/],
    ])('refuses %s', (sql, cause) => expectRefused(manager, ds, sql, cause));

    it('lets ORM and raw SQL through when the connection carries the view tenant', async () => {
      await ds.getRepository(Order).save({ label: 'mine' });
      expect(await ds.query('SELECT label FROM orders')).toEqual([{ label: 'mine' }]);
      expect(manager.getMetrics().scopeViolations).toBe(SCOPE_CHANGES.length + 4);
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

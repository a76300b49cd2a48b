import { TenancyError } from '../../errors/tenancy.error';
import { rlsForcedCheckQuery, rlsStatements, roleBypassQuery } from './postgres-rls.ddl';
import { postgresDdl } from './postgres.ddl';

const TEXT_PREDICATE = `"tenant_id"::text = NULLIF(current_setting('app.current_tenant', true), '')`;

describe('PostgreSQL row-level security', () => {
  it('enables, forces and (re)creates the policy with USING and WITH CHECK', () => {
    expect(postgresDdl.rlsStatements({ schema: 'public', table: 'orders' })).toEqual([
      'ALTER TABLE "public"."orders" ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE "public"."orders" FORCE ROW LEVEL SECURITY',
      'DROP POLICY IF EXISTS "tenant_isolation" ON "public"."orders"',
      `CREATE POLICY "tenant_isolation" ON "public"."orders" FOR ALL USING (${TEXT_PREDICATE}) WITH CHECK (${TEXT_PREDICATE})`,
    ]);
  });

  it('leaves the schema to search_path when omitted and honours the options', () => {
    const predicate = `"org_id"::text = NULLIF(current_setting('myapp.tenant', true), '')`;
    expect(
      rlsStatements({ table: 'orders' }, { column: 'org_id', setting: 'myapp.tenant', policyName: 'by_org' }),
    ).toEqual([
      'ALTER TABLE "orders" ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE "orders" FORCE ROW LEVEL SECURITY',
      'DROP POLICY IF EXISTS "by_org" ON "orders"',
      `CREATE POLICY "by_org" ON "orders" FOR ALL USING (${predicate}) WITH CHECK (${predicate})`,
    ]);
  });

  it('can cast the setting to uuid instead, keeping a uuid index usable', () => {
    const predicate = `"tenant_id" = NULLIF(current_setting('app.current_tenant', true), '')::uuid`;
    expect(rlsStatements({ table: 'orders' }, { columnType: 'uuid' })[3]).toBe(
      `CREATE POLICY "tenant_isolation" ON "orders" FOR ALL USING (${predicate}) WITH CHECK (${predicate})`,
    );
  });

  it.each([
    [{ table: 'Orders' }, {}],
    [{ table: 'orders"; DROP TABLE x; --' }, {}],
    [{ schema: 'pub lic', table: 'orders' }, {}],
    [{ table: 'orders' }, { column: 'tenant-id' }],
    [{ table: 'orders' }, { policyName: 'p"' }],
    [{ table: 'orders' }, { setting: "app.current_tenant', true) OR true --" }],
    [{ table: 'orders' }, { setting: 'current_tenant' }],
    [{ table: 'orders' }, { setting: 'App.tenant' }],
  ])('refuses %j %j', (table, opts) => {
    expect(() => rlsStatements(table, opts)).toThrow(TenancyError);
  });

  it('checks ENABLE/FORCE of a list of tables with bound parameters', () => {
    expect(rlsForcedCheckQuery([{ schema: 'public', table: 'orders' }, { table: 'items' }])).toEqual({
      sql:
        'SELECT n.nspname AS "schema", c.relname AS "table", c.relrowsecurity, c.relforcerowsecurity ' +
        'FROM unnest($1::text[], $2::text[]) AS x(schema_name, table_name) ' +
        'JOIN pg_namespace n ON n.nspname = COALESCE(x.schema_name, current_schema()) ' +
        "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = x.table_name AND c.relkind IN ('r', 'p')",
      params: [
        ['public', null],
        ['orders', 'items'],
      ],
    });
    expect(() => rlsForcedCheckQuery([{ table: 'Bad' }])).toThrow(TenancyError);
  });

  it('asks whether the current role bypasses RLS', () => {
    expect(roleBypassQuery()).toEqual({
      sql: 'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
      params: [],
    });
  });
});

import { TenancyError } from '../../errors/tenancy.error';
import {
  junctionTenantColumnStatement,
  quoteName,
  registryStatements,
  runtimeGrantStatements,
  sameTenantCheckName,
  sameTenantForeignKeyStatements,
  truncateGuardStatements,
} from './postgres-rls-hardening.ddl';

const FK = { table: 'orders', columns: ['customerId'], referencedTable: 'customers', referencedColumns: ['id'] };

describe('PostgreSQL RLS hardening DDL', () => {
  it('quotes names from entity metadata, camelCase included, and refuses impossible ones', () => {
    expect(quoteName('customerId')).toBe('"customerId"');
    expect(quoteName('a"b')).toBe('"a""b"');
    expect(() => quoteName('')).toThrow(TenancyError);
    expect(() => quoteName('x'.repeat(64))).toThrow(TenancyError);
    expect(() => quoteName('a\0b')).toThrow(TenancyError);
  });

  it('guards TRUNCATE with a statement trigger', () => {
    expect(truncateGuardStatements('memos')).toEqual([
      'DROP TRIGGER IF EXISTS "tenancy_no_truncate" ON "public"."memos"',
      'CREATE TRIGGER "tenancy_no_truncate" BEFORE TRUNCATE ON "public"."memos" FOR EACH STATEMENT EXECUTE FUNCTION "public"."tenancy_no_truncate"()',
    ]);
  });

  it('checks a foreign key against a row of the same tenant, with a stable short name', () => {
    const name = sameTenantCheckName(FK);
    expect(name).toMatch(/^tenancy_fk_[0-9a-f]{20}$/);
    expect(sameTenantCheckName({ ...FK })).toBe(name);
    expect(sameTenantCheckName({ ...FK, columns: ['otherId'] })).not.toBe(name);
    const [fn, drop, create] = sameTenantForeignKeyStatements(FK);
    expect(fn).toContain(
      'IF NEW."customerId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "public"."customers" p WHERE p."id" = NEW."customerId" AND p."tenant_id" = NEW."tenant_id")',
    );
    expect(drop).toBe(`DROP TRIGGER IF EXISTS "${name}" ON "public"."orders"`);
    expect(create).toBe(
      `CREATE TRIGGER "${name}" BEFORE INSERT OR UPDATE OF "customerId", "tenant_id" ON "public"."orders" FOR EACH ROW EXECUTE FUNCTION "public"."${name}"()`,
    );
  });

  it('gives junction tables a tenant_id filled from the setting, cast to the owner column type', () => {
    expect(junctionTenantColumnStatement('post_tags', 'character varying(36)')).toBe(
      'ALTER TABLE "public"."post_tags" ADD COLUMN "tenant_id" character varying(36) NOT NULL ' +
        "DEFAULT NULLIF(current_setting('app.current_tenant', true), '')::character varying(36)",
    );
    expect(() => junctionTenantColumnStatement('post_tags', 'uuid; DROP TABLE x')).toThrow(TenancyError);
  });

  it('puts the registry out of tenant scope and grants data privileges only', () => {
    const outside = "NULLIF(current_setting('app.current_tenant', true), '') IS NULL";
    expect(registryStatements()[3]).toBe(
      `CREATE POLICY "tenancy_registry" ON "public"."tenants" FOR ALL USING (${outside}) WITH CHECK (${outside})`,
    );
    expect(runtimeGrantStatements(['memos'], 'app_runtime')).toEqual([
      'GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."memos" TO "app_runtime"',
    ]);
  });
});

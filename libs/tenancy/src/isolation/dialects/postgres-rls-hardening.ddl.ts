import { createHash } from 'node:crypto';
import { TenancyError } from '../../errors/tenancy.error';

/**
 * What PostgreSQL's row security does not cover (issue 11): TRUNCATE, junction tables, foreign
 * keys across tenants, the tenants registry. Names here come from entity metadata (code, not
 * request input), so they are quoted rather than restricted to lower case: TypeORM's default
 * join columns are camelCase (`customerId`).
 */

/** Name of the statement trigger refusing TRUNCATE on a tenant table. */
export const TRUNCATE_GUARD = 'tenancy_no_truncate';
/** Policy of the tenants registry: rows visible only outside tenant scope. */
export const REGISTRY_POLICY = 'tenancy_registry';
/** The tenant setting, unset (NULL) or reset (''), as one expression. */
export const CURRENT_TENANT = "NULLIF(current_setting('app.current_tenant', true), '')";

/** `"name"` for a PostgreSQL identifier taken from code (entity metadata). */
export function quoteName(name: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 63 || name.includes('\0')) {
    throw new TenancyError(`Invalid PostgreSQL identifier ${JSON.stringify(name)}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"public"."orders"`. */
export function publicTable(table: string): string {
  return `"public".${quoteName(table)}`;
}

/** The shared function every TRUNCATE guard calls; it raises, naming the table and the fix. */
export const TRUNCATE_GUARD_FUNCTION =
  `CREATE OR REPLACE FUNCTION "public"."${TRUNCATE_GUARD}"() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN ` +
  "RAISE EXCEPTION 'TRUNCATE of tenant table %.% refused: row-level security cannot scope it, so it would " +
  "empty every tenant. Delete rows instead (Repository.clear() deletes the current tenant''s rows only)', " +
  "TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $fn$";

/** A BEFORE TRUNCATE statement trigger on `table`: binds every role, the owner included. */
export function truncateGuardStatements(table: string): string[] {
  const target = publicTable(table);
  return [
    `DROP TRIGGER IF EXISTS "${TRUNCATE_GUARD}" ON ${target}`,
    `CREATE TRIGGER "${TRUNCATE_GUARD}" BEFORE TRUNCATE ON ${target} FOR EACH STATEMENT EXECUTE FUNCTION "public"."${TRUNCATE_GUARD}"()`,
  ];
}

/** A foreign key between two tenant tables (both in `public`, both with `tenant_id`). */
export interface TenantForeignKey {
  readonly table: string;
  readonly columns: readonly string[];
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
}

/** Stable name of the same-tenant check of `fk` (function and trigger), under 63 bytes. */
export function sameTenantCheckName(fk: TenantForeignKey): string {
  const key = [fk.table, ...fk.columns, fk.referencedTable, ...fk.referencedColumns].join('\0');
  return `tenancy_fk_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}

/**
 * A row trigger on the referencing table: a non-null reference must reach a row of the same
 * tenant. FK checks ignore row security; this one runs as the caller, under it. (A composite
 * `(tenant_id, …)` key would do the same, but `synchronize` drops constraints it does not know.)
 */
export function sameTenantForeignKeyStatements(fk: TenantForeignKey): string[] {
  const name = sameTenantCheckName(fk);
  const present = fk.columns.map((c) => `NEW.${quoteName(c)} IS NOT NULL`).join(' AND ');
  const match = fk.referencedColumns.map((c, i) => `p.${quoteName(c)} = NEW.${quoteName(fk.columns[i])}`).join(' AND ');
  const what = `${fk.table}(${fk.columns.join(', ')})`.replaceAll("'", "''");
  const target = publicTable(fk.table);
  const watched = [...fk.columns, 'tenant_id'].map(quoteName).join(', ');
  return [
    `CREATE OR REPLACE FUNCTION "public"."${name}"() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN ` +
      `IF ${present} AND NOT EXISTS (SELECT 1 FROM ${publicTable(fk.referencedTable)} p WHERE ${match} ` +
      `AND p."tenant_id" = NEW."tenant_id") THEN RAISE EXCEPTION 'Foreign key ${what} must reference a row of ` +
      `the same tenant' USING ERRCODE = 'foreign_key_violation'; END IF; RETURN NEW; END $fn$`,
    `DROP TRIGGER IF EXISTS "${name}" ON ${target}`,
    `CREATE TRIGGER "${name}" BEFORE INSERT OR UPDATE OF ${watched} ON ${target} FOR EACH ROW EXECUTE FUNCTION "public"."${name}"()`,
  ];
}

/** Adds `tenant_id` to a junction table TypeORM creates with its two key columns only. */
export function junctionTenantColumnStatement(table: string, type: string): string {
  if (!/^[a-z ]+(\(\d+\))?$/.test(type)) throw new TenancyError(`Unexpected tenant_id type ${JSON.stringify(type)}`);
  return `ALTER TABLE ${publicTable(table)} ADD COLUMN "tenant_id" ${type} NOT NULL DEFAULT ${CURRENT_TENANT}::${type}`;
}

/** Row security on the tenants registry: no row is visible or writable while a tenant is set. */
export function registryStatements(table = 'tenants'): string[] {
  const target = publicTable(table);
  const outside = `${CURRENT_TENANT} IS NULL`;
  return [
    `ALTER TABLE ${target} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${target} FORCE ROW LEVEL SECURITY`,
    `DROP POLICY IF EXISTS "${REGISTRY_POLICY}" ON ${target}`,
    `CREATE POLICY "${REGISTRY_POLICY}" ON ${target} FOR ALL USING (${outside}) WITH CHECK (${outside})`,
  ];
}

/** Data privileges (never ownership, never TRUNCATE) for the runtime role. */
export function runtimeGrantStatements(tables: readonly string[], runtimeRole: string): string[] {
  return tables.map((t) => `GRANT SELECT, INSERT, UPDATE, DELETE ON ${publicTable(t)} TO ${quoteName(runtimeRole)}`);
}

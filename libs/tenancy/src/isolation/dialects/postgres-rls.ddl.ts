import { TenancyError } from '../../errors/tenancy.error';
import { previewUntrustedInput } from '../../models/tenant-identifier';
import type { ParameterizedQuery } from './dialect.types';
import { identifierQuoter } from './physical-name.util';

const quote = identifierQuoter('postgres', '"', '"');
/** A custom setting needs a dot: `app.current_tenant`. Safe inside a '…' literal. */
const SETTING_PATTERN = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/** A table that gets a tenant policy; `schema` omitted means the `search_path` decides. */
export interface RlsTable {
  readonly schema?: string;
  readonly table: string;
}

/** Options of {@link rlsStatements}. */
export interface RlsOptions {
  /** Tenant column. Default `tenant_id`. */
  readonly column?: string;
  /** Session setting holding the current tenant id. Default `app.current_tenant`. */
  readonly setting?: string;
  /** Policy name. Default `tenant_isolation`. */
  readonly policyName?: string;
  /**
   * `text` (default) compares `column::text`, for uuid or varchar columns alike. `uuid` casts
   * the setting instead, so a btree index on a uuid column stays usable.
   */
  readonly columnType?: 'text' | 'uuid';
}

/** `"schema"."table"` or `"table"`, validated. */
export function qualifiedTable({ schema, table }: RlsTable): string {
  return schema === undefined ? quote(table) : `${quote(schema)}.${quote(table)}`;
}

function tenantPredicate(opts: RlsOptions): string {
  const setting = opts.setting ?? 'app.current_tenant';
  if (typeof setting !== 'string' || setting.length > 127 || !SETTING_PATTERN.test(setting)) {
    throw new TenancyError(
      `Invalid RLS setting ${previewUntrustedInput(setting)}: it must look like app.current_tenant`,
    );
  }
  const column = quote(opts.column ?? 'tenant_id');
  // NULLIF: an unset (NULL) or reset ('') setting must match no row, even a row whose
  // varchar tenant_id is ''. NULL = anything is NULL, so the policy lets nothing through.
  const current = `NULLIF(current_setting('${setting}', true), '')`;
  return opts.columnType === 'uuid' ? `${column} = ${current}::uuid` : `${column}::text = ${current}`;
}

/**
 * Statements putting `table` under row-level security for the current tenant: ENABLE and
 * FORCE (so the owner is bound too), then a policy with the same `USING` and `WITH CHECK`.
 * Idempotent (the policy is dropped and re-created).
 */
export function rlsStatements(table: RlsTable, opts: RlsOptions = {}): string[] {
  const target = qualifiedTable(table);
  const policy = quote(opts.policyName ?? 'tenant_isolation');
  const predicate = tenantPredicate(opts);
  return [
    `ALTER TABLE ${target} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${target} FORCE ROW LEVEL SECURITY`,
    `DROP POLICY IF EXISTS ${policy} ON ${target}`,
    `CREATE POLICY ${policy} ON ${target} FOR ALL USING (${predicate}) WITH CHECK (${predicate})`,
  ];
}

/**
 * Rows `(schema, table, relrowsecurity, relforcerowsecurity)` for the given tables (plain and
 * partitioned); a table without `schema` is looked up in `current_schema()`. Missing tables
 * are absent from the result.
 */
export function rlsForcedCheckQuery(tables: readonly RlsTable[]): ParameterizedQuery {
  tables.forEach(qualifiedTable);
  return {
    sql:
      'SELECT n.nspname AS "schema", c.relname AS "table", c.relrowsecurity, c.relforcerowsecurity ' +
      'FROM unnest($1::text[], $2::text[]) AS x(schema_name, table_name) ' +
      'JOIN pg_namespace n ON n.nspname = COALESCE(x.schema_name, current_schema()) ' +
      "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = x.table_name AND c.relkind IN ('r', 'p')",
    params: [tables.map((t) => t.schema ?? null), tables.map((t) => t.table)],
  };
}

/** One row `(rolsuper, rolbypassrls)` for `current_user`; either true means RLS is bypassed. */
export function roleBypassQuery(): ParameterizedQuery {
  return { sql: 'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user', params: [] };
}

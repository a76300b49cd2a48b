import type { ParameterizedQuery } from './dialect.types';

/** What the catalog says about one table in `public`, as seen by the connected role. */
export interface RlsTableState {
  readonly table: string;
  readonly exists: boolean;
  readonly enabled: boolean;
  readonly forced: boolean;
  /** The connected role is the owner or a member of it (could ALTER, DISABLE, NO FORCE). */
  readonly owned: boolean;
  readonly truncatable: boolean;
  /** Policy names on the table whose USING and WITH CHECK both read `app.current_tenant`. */
  readonly policies: string[];
  readonly tenantColumn: boolean;
  /** Enabled user triggers. */
  readonly triggers: string[];
}

/** One row per name in `tables` (schema `public`), missing tables with `exists = false`. */
export function rlsTableStateQuery(tables: readonly string[]): ParameterizedQuery {
  const readsSetting = (expr: string) =>
    `pg_get_expr(${expr}, p.polrelid) LIKE '%current_setting(''app.current_tenant''%'`;
  return {
    sql:
      'SELECT x.table_name AS "table", c.oid IS NOT NULL AS "exists", ' +
      'COALESCE(c.relrowsecurity, false) AS "enabled", COALESCE(c.relforcerowsecurity, false) AS "forced", ' +
      'COALESCE(pg_has_role(c.relowner, \'MEMBER\'), false) AS "owned", ' +
      'COALESCE(has_table_privilege(c.oid, \'TRUNCATE\'), false) AS "truncatable", ' +
      "ARRAY(SELECT p.polname::text FROM pg_policy p WHERE p.polrelid = c.oid AND p.polcmd = '*' AND p.polpermissive " +
      `AND ${readsSetting('p.polqual')} AND ${readsSetting('p.polwithcheck')}) AS "policies", ` +
      "EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' " +
      'AND a.attnotnull AND NOT a.attisdropped) AS "tenantColumn", ' +
      'ARRAY(SELECT t.tgname::text FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal ' +
      "AND t.tgenabled IN ('O', 'A')) AS \"triggers\" " +
      'FROM unnest($1::text[]) AS x(table_name) ' +
      "LEFT JOIN pg_class c ON c.relname = x.table_name AND c.relnamespace = 'public'::regnamespace " +
      "AND c.relkind IN ('r', 'p')",
    params: [[...tables]],
  };
}

/**
 * Tables in `public` that look like tenant data (a `tenant_id` column) or are the registry, which
 * the connected role owns or may TRUNCATE: checked before start-up creates anything.
 */
export function runtimeOverreachQuery(registry = 'tenants'): ParameterizedQuery {
  return {
    sql:
      'SELECT c.relname AS "table", pg_has_role(c.relowner, \'MEMBER\') AS "owned", ' +
      'has_table_privilege(c.oid, \'TRUNCATE\') AS "truncatable" FROM pg_class c ' +
      "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') " +
      "AND (pg_has_role(c.relowner, 'MEMBER') OR has_table_privilege(c.oid, 'TRUNCATE')) " +
      "AND (c.relname = $1 OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' " +
      'AND NOT a.attisdropped)) ORDER BY 1',
    params: [registry],
  };
}

/** `format_type` of `public.<table>.tenant_id` (the junction column copies it). */
export function tenantColumnTypeQuery(table: string): ParameterizedQuery {
  return {
    sql:
      'SELECT format_type(a.atttypid, a.atttypmod) AS "type" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid ' +
      "WHERE c.relnamespace = 'public'::regnamespace AND c.relname = $1 AND a.attname = 'tenant_id' AND NOT a.attisdropped",
    params: [table],
  };
}

import type { DataSource } from 'typeorm';
import { optionLabel } from '../config/option-specs';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { roleBypassQuery } from './dialects/postgres-rls.ddl';
import { runtimeOverreachQuery } from './dialects/postgres-rls-state.query';

/**
 * Refusals that need nothing created (issue 12: a refused start leaves nothing behind): the
 * runtime role bypasses RLS (superuser, BYPASSRLS); with a separate owner, the runtime role is
 * that owner, or owns or may TRUNCATE an existing tenant table or the registry.
 */
export async function refuseUnsafeRuntimeRole(runtime: DataSource, owner?: DataSource): Promise<void> {
  const { sql, params } = roleBypassQuery();
  const [row] = (await runtime.query(sql, [...params])) as Array<{ rolsuper: boolean; rolbypassrls: boolean }>;
  if (row?.rolsuper || row?.rolbypassrls) {
    throw new TenancyConfigError(
      `${optionLabel('databaseUrl')} connects as a role that ${row.rolsuper ? 'is a superuser' : 'has BYPASSRLS'}: ` +
        'row-level security would not isolate tenants. Connect as an ordinary role (NOSUPERUSER NOBYPASSRLS).',
    );
  }
  if (!owner) return;
  const [who] = (await runtime.query('SELECT current_user AS "role"')) as Array<{ role: string }>;
  const [ownerWho] = (await owner.query('SELECT current_user AS "role"')) as Array<{ role: string }>;
  if (who.role === ownerWho.role) {
    throw new TenancyConfigError(
      `${optionLabel('migrationDatabaseUrl')} connects as the same role as ${optionLabel('databaseUrl')}: ` +
        'the owner applies DDL and the runtime role serves requests; use two roles (see the README).',
    );
  }
  const overreach = runtimeOverreachQuery();
  const rows = (await runtime.query(overreach.sql, [...overreach.params])) as Array<{
    table: string;
    owned: boolean;
    truncatable: boolean;
  }>;
  if (rows.length > 0) {
    const what = rows.map((r) => `public.${r.table} (${r.owned ? 'owns it' : 'may TRUNCATE it'})`).join(', ');
    throw new TenancyConfigError(
      `The runtime role ${who.role} (${optionLabel('databaseUrl')}) could defeat row-level security on ${what}: ` +
        `make the ${optionLabel('migrationDatabaseUrl')} role the owner (ALTER TABLE ... OWNER TO ...) and ` +
        'REVOKE TRUNCATE from the runtime role.',
    );
  }
}

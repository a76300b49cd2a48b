import type { DataSource } from 'typeorm';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { optionLabel } from '../config/option-specs';
import { createTenantView } from '../connection/shared-pool-view';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { pgSearchPathBinding } from './pg-schema.binding';
import { rlsForcedCheckQuery, rlsStatements, roleBypassQuery, type RlsTable } from './dialects/postgres-rls.ddl';

/**
 * Start-up of RLS: refuses a role that bypasses RLS, requires `tenant_id` on every tenant
 * entity, creates the shared tables (synchronize, or the configured migrations), applies
 * ENABLE + FORCE + the policy to each, then verifies FORCE is on. Any failure stops start-up.
 */
export async function setUpRls(shared: DataSource, root: DataSource, options: ResolvedTenancyOptions): Promise<void> {
  await refuseBypassingRole(root);
  const tables = tenantTables(shared);
  // Raw SQL in migrations is unqualified: run them with search_path = public only.
  if (options.migrations.length > 0)
    await createTenantView(shared, pgSearchPathBinding('public')).runMigrations({ transaction: 'each' });
  else await shared.synchronize();
  for (const table of tables) {
    for (const sql of rlsStatements(table)) await root.query(sql);
  }
  await assertForced(root, tables);
}

async function refuseBypassingRole(root: DataSource): Promise<void> {
  const { sql, params } = roleBypassQuery();
  const [row] = (await root.query(sql, [...params])) as Array<{
    rolsuper: boolean;
    rolbypassrls: boolean;
    role?: string;
  }>;
  if (row?.rolsuper || row?.rolbypassrls) {
    throw new TenancyConfigError(
      `${optionLabel('databaseUrl')} connects as a role that ${row.rolsuper ? 'is a superuser' : 'has BYPASSRLS'}: ` +
        'row-level security would not isolate tenants. Connect as an ordinary role (NOSUPERUSER NOBYPASSRLS).',
    );
  }
}

function tenantTables(shared: DataSource): RlsTable[] {
  return shared.entityMetadatas
    .filter((m) => m.tableType !== 'view' && m.tableType !== 'junction')
    .map((m) => {
      if (!m.findColumnWithDatabaseName('tenant_id')) {
        throw new TenancyConfigError(
          `Entity ${m.name} has no tenant_id column: under RLS every tenant entity needs one. ` +
            'Extend TenantScopedEntity or declare @Column({ name: "tenant_id" }).',
        );
      }
      return { schema: m.schema ?? 'public', table: m.tableName };
    });
}

async function assertForced(root: DataSource, tables: RlsTable[]): Promise<void> {
  if (tables.length === 0) return;
  const { sql, params } = rlsForcedCheckQuery(tables);
  const rows = (await root.query(sql, [...params])) as Array<{
    schema: string;
    table: string;
    relrowsecurity: boolean;
    relforcerowsecurity: boolean;
  }>;
  const found = new Map(rows.map((r) => [`${r.schema}.${r.table}`, r]));
  for (const t of tables) {
    const row = found.get(`${t.schema}.${t.table}`);
    if (!row?.relrowsecurity || !row.relforcerowsecurity) {
      throw new TenancyConfigError(
        `Table ${t.schema}.${t.table} lacks ENABLE/FORCE ROW LEVEL SECURITY: refusing to start under RLS.`,
      );
    }
  }
}

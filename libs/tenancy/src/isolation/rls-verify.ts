import type { DataSource } from 'typeorm';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import {
  REGISTRY_POLICY,
  TRUNCATE_GUARD,
  publicTable,
  registryStatements,
  sameTenantCheckName,
  sameTenantForeignKeyStatements,
  truncateGuardStatements,
} from './dialects/postgres-rls-hardening.ddl';
import { rlsStatements } from './dialects/postgres-rls.ddl';
import { rlsTableStateQuery, type RlsTableState } from './dialects/postgres-rls-state.query';
import type { RlsLayout } from './rls-tables';

/** How strictly the runtime role is checked. */
export interface RlsVerifyOptions {
  /** A separate owner applies DDL: the runtime role must then neither own nor TRUNCATE a table. */
  readonly separateOwner: boolean;
  /** The tenants registry table in `public`, when the store keeps it there. */
  readonly registry?: string;
}

/**
 * Start-up verification as the runtime role (it needs no ownership): every tenant table and
 * junction table exists with ENABLE + FORCE, a policy on `app.current_tenant`, the TRUNCATE
 * guard and a same-tenant check per foreign key; the registry is out of tenant reach. Throws one
 * `TenancyConfigError` naming each table, what is missing and the SQL that fixes it.
 */
export async function verifyRls(runtime: DataSource, layout: RlsLayout, opts: RlsVerifyOptions): Promise<void> {
  const junctions = new Set(layout.junctions.map((j) => j.table));
  const names = [...layout.entities, ...junctions, ...(opts.registry ? [opts.registry] : [])];
  const { sql, params } = rlsTableStateQuery(names);
  const states = (await runtime.query(sql, [...params])) as RlsTableState[];
  const problems: string[] = [];
  for (const s of states) {
    const found = s.table === opts.registry ? registryProblems(s) : tableProblems(s, layout, junctions.has(s.table));
    if (opts.separateOwner && s.exists) found.push(...privilegeProblems(s));
    problems.push(...found.map((p) => `${publicTable(s.table).replaceAll('"', '')} ${p}`));
  }
  if (problems.length > 0) {
    throw new TenancyConfigError(`Refusing to start under RLS: ${problems.join('; ')}`, problems);
  }
}

function tableProblems(s: RlsTableState, layout: RlsLayout, junction: boolean): string[] {
  const kind = junction ? 'junction table (many-to-many)' : 'table';
  if (!s.exists) return [`is missing: create the ${kind} (synchronize or a migration) before start-up`];
  const problems: string[] = [];
  if (junction && !s.tenantColumn) {
    problems.push(
      'is a junction table without a NOT NULL tenant_id column: add it with DEFAULT ' +
        "NULLIF(current_setting('app.current_tenant', true), '') cast to the tenant_id type",
    );
  }
  problems.push(...securityProblems(s, rlsStatements({ schema: 'public', table: s.table }), s.policies.length > 0));
  if (!s.triggers.includes(TRUNCATE_GUARD)) {
    problems.push(`lacks the TRUNCATE guard trigger: ${truncateGuardStatements(s.table).join('; ')}`);
  }
  for (const fk of layout.foreignKeys.filter((f) => f.table === s.table)) {
    if (!s.triggers.includes(sameTenantCheckName(fk))) {
      problems.push(
        `lacks the same-tenant check of its foreign key (${fk.columns.join(', ')}) -> ${fk.referencedTable}: ` +
          sameTenantForeignKeyStatements(fk).join('; '),
      );
    }
  }
  return problems;
}

function registryProblems(s: RlsTableState): string[] {
  if (!s.exists) return [];
  return securityProblems(s, registryStatements(s.table), s.policies.includes(REGISTRY_POLICY));
}

function securityProblems(s: RlsTableState, fix: string[], hasPolicy: boolean): string[] {
  const problems: string[] = [];
  if (!s.enabled || !s.forced) problems.push(`lacks ENABLE/FORCE ROW LEVEL SECURITY: ${fix.slice(0, 2).join('; ')}`);
  if (!hasPolicy)
    problems.push(`has no policy on app.current_tenant (USING and WITH CHECK): ${fix.slice(2).join('; ')}`);
  return problems;
}

function privilegeProblems(s: RlsTableState): string[] {
  const problems: string[] = [];
  if (s.owned) {
    problems.push(
      'is owned by the runtime role (TENANCY_DATABASE_URL), which could disable row security: ' +
        `ALTER TABLE ${publicTable(s.table)} OWNER TO <the TENANCY_MIGRATION_DATABASE_URL role>`,
    );
  }
  if (s.truncatable) {
    problems.push(
      `can be TRUNCATEd by the runtime role: REVOKE TRUNCATE ON ${publicTable(s.table)} ` +
        'FROM <the TENANCY_DATABASE_URL role> (and from PUBLIC if granted there)',
    );
  }
  return problems;
}

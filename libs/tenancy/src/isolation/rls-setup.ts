import { Table, TableForeignKey, type DataSource, type EntityMetadata } from 'typeorm';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { createTenantView } from '../connection/shared-pool-view';
import { pgSearchPathBinding } from './pg-schema.binding';
import {
  TRUNCATE_GUARD_FUNCTION,
  junctionTenantColumnStatement,
  quoteName,
  registryStatements,
  runtimeGrantStatements,
  sameTenantForeignKeyStatements,
  truncateGuardStatements,
} from './dialects/postgres-rls-hardening.ddl';
import { rlsStatements } from './dialects/postgres-rls.ddl';
import { tenantColumnTypeQuery } from './dialects/postgres-rls-state.query';
import { allTables, rlsLayout, type RlsLayout } from './rls-tables';
import { verifyRls } from './rls-verify';
import { runLocked } from './migration-lock';
import { withMigrationLogger } from './migration.logger';

/** The owner role's handles (`migrationDatabaseUrl`): its root pool and the shared metadata on it. */
export interface RlsOwner {
  readonly root: DataSource;
  readonly shared: DataSource;
}

const REGISTRY = 'tenants';
/** Serializes the DDL of instances starting together (rolling deploys): CREATE OR REPLACE races. */
const SETUP_LOCK = "SELECT pg_advisory_xact_lock(hashtext('nestjs-tenancy:rls-setup'))";

/** The lock key of the shared RLS tables' migrations (one history for every RLS tenant). */
export const RLS_SHARED_MIGRATIONS = 'rls-shared';

/** Migrations of the shared RLS tables: raw SQL in them is unqualified, so search_path = public only. */
export function sharedMigrationView(shared: DataSource): DataSource {
  return withMigrationLogger(createTenantView(shared, pgSearchPathBinding('public')));
}

/** What `setUpRls` did: `ready` false when pending migrations were left to `migrate:run`. */
export interface RlsSetUp {
  readonly ready: boolean;
  /** Migrations it applied. */
  readonly applied: string[];
}

/**
 * Start-up of RLS (the refusals that need nothing created ran before, in
 * `refuseUnsafeRuntimeRole`), and `migrate:run` of the shared tables. The DDL role (the owner
 * when `migrationDatabaseUrl` is set, else the runtime role) creates the shared tables:
 * configured migrations (under one advisory lock: instances starting together apply each once),
 * or synchronize plus the library's hardening (junction `tenant_id`, ENABLE + FORCE + policy,
 * TRUNCATE guard, same-tenant foreign keys). With migrations the hardening is theirs: it is only
 * verified. The registry is always put out of tenant reach. Then the runtime role verifies
 * everything; any gap throws. `deferPending` (the CLI): pending migrations are left for
 * `migrate:run` to apply and report, and nothing else is done (`ready: false`).
 */
export async function setUpRls(
  shared: DataSource,
  root: DataSource,
  options: ResolvedTenancyOptions,
  owner?: RlsOwner,
  deferPending = false,
): Promise<RlsSetUp> {
  const layout = rlsLayout(shared);
  const ddl = owner ?? { root, shared };
  let applied: string[] = [];
  if (options.migrations.length > 0) {
    const view = sharedMigrationView(ddl.shared);
    if (deferPending && (await view.showMigrations())) return { ready: false, applied };
    applied = await runLocked(view, RLS_SHARED_MIGRATIONS, options.ddlLockTimeoutMs);
  } else {
    await synchronizeHardened(ddl, layout);
  }
  const registry = options.store === 'database' ? REGISTRY : undefined;
  if (registry && (await exists(ddl.root, registry))) await inTransaction(ddl.root, registryStatements(registry));
  if (owner) await grantRuntime(owner.root, root, [...allTables(layout), ...(registry ? [registry] : [])]);
  await verifyRls(root, layout, { separateOwner: owner !== undefined, registry });
  return { ready: true, applied };
}

/**
 * One role (no `migrationDatabaseUrl`): the registry is created after the start-up checks, so
 * after `setUpRls`; put it out of tenant reach then, and verify it, before any request is served.
 */
export async function secureRegistryCreatedLater(root: DataSource, options: ResolvedTenancyOptions): Promise<void> {
  if (options.store !== 'database' || !(await exists(root, REGISTRY))) return;
  await inTransaction(root, registryStatements(REGISTRY));
  await verifyRls(
    root,
    { entities: [], junctions: [], foreignKeys: [] },
    {
      separateOwner: false,
      registry: REGISTRY,
    },
  );
}

/**
 * With a separate owner, once the owner has created the tenants registry (so the runtime role
 * never owns it): grants the runtime role data privileges on it, before the store looks for it.
 */
export async function grantRegistry(owner: DataSource, runtime: DataSource): Promise<void> {
  await grantRuntime(owner, runtime, [REGISTRY]);
}

async function synchronizeHardened(ddl: RlsOwner, layout: RlsLayout): Promise<void> {
  // TypeORM would build junctions without tenant_id and drop a column it does not know on the
  // next synchronize: the library owns their DDL.
  const junctions = ddl.shared.entityMetadatas.filter(
    (m) => m.tableType === 'junction' || m.tableType === 'closure-junction',
  );
  junctions.forEach((m) => Object.assign(m, { synchronize: false }));
  await ddl.shared.synchronize();
  for (const j of layout.junctions) {
    await createJunction(
      ddl.shared,
      junctions.find((m) => m.tableName === j.table)!,
      j.typeFrom,
    );
  }
  await inTransaction(ddl.root, [TRUNCATE_GUARD_FUNCTION]);
  for (const table of allTables(layout)) {
    await inTransaction(ddl.root, [
      ...rlsStatements({ schema: 'public', table }),
      ...truncateGuardStatements(table),
      ...layout.foreignKeys.filter((fk) => fk.table === table).flatMap(sameTenantForeignKeyStatements),
    ]);
  }
}

/** Creates a missing junction table with its keys, indexes and a `tenant_id` filled from the scope. */
async function createJunction(shared: DataSource, meta: EntityMetadata, typeFrom: string): Promise<void> {
  const runner = shared.createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query(SETUP_LOCK);
    if (await runner.hasTable(meta.tablePath)) return await runner.commitTransaction(); // verified, never altered
    const table = Table.create(meta, shared.driver);
    meta.foreignKeys.forEach((fk) => table.addForeignKey(TableForeignKey.create(fk, shared.driver)));
    const { sql, params } = tenantColumnTypeQuery(typeFrom);
    const [{ type }] = (await runner.query(sql, [...params])) as Array<{ type: string }>;
    await runner.createTable(table, false, true, true);
    await runner.query(junctionTenantColumnStatement(meta.tableName, type));
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

/** Data privileges for the runtime role on the tables that exist and their sequences. */
async function grantRuntime(owner: DataSource, runtime: DataSource, tables: string[]): Promise<void> {
  const [{ role }] = (await runtime.query('SELECT current_user AS "role"')) as Array<{ role: string }>;
  const existing = (await owner.query(
    "SELECT relname AS \"table\" FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') " +
      'AND relname = ANY($1::text[])',
    [tables],
  )) as Array<{ table: string }>;
  const sequences = (await owner.query(
    'SELECT s.oid::regclass::text AS "seq" FROM pg_class s JOIN pg_depend d ON d.objid = s.oid ' +
      "AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') " +
      "JOIN pg_class t ON t.oid = d.refobjid WHERE s.relkind = 'S' AND t.relnamespace = 'public'::regnamespace " +
      'AND t.relname = ANY($1::text[])',
    [tables],
  )) as Array<{ seq: string }>;
  await inTransaction(owner, [
    ...runtimeGrantStatements(
      existing.map((t) => t.table),
      role,
    ),
    ...sequences.map((s) => `GRANT USAGE, SELECT ON SEQUENCE ${s.seq} TO ${quoteName(role)}`),
  ]);
}

async function exists(ds: DataSource, table: string): Promise<boolean> {
  const [row] = (await ds.query('SELECT to_regclass($1) IS NOT NULL AS "found"', [`public.${table}`])) as Array<{
    found: boolean;
  }>;
  return row.found;
}

async function inTransaction(ds: DataSource, statements: string[]): Promise<void> {
  await ds.transaction(async (manager) => {
    await manager.query(SETUP_LOCK);
    for (const sql of statements) await manager.query(sql);
  });
}

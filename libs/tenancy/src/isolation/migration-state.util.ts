import type { DataSource } from 'typeorm';
import { MigrationRunError } from './migration-run.error';

/** Applied and pending migration names of one tenant (or of the shared RLS tables). */
export interface TenantMigrationState {
  applied: string[];
  pending: string[];
}

/** @internal Applied and pending migration names of the migrations table `ds` reaches. */
export async function migrationState(ds: DataSource): Promise<TenantMigrationState> {
  const names = ds.migrations.map((m) => m.name ?? m.constructor.name);
  if (names.length === 0) return { applied: [], pending: [] };
  const pendingNow = (await ds.showMigrations()) ? await pendingNames(ds) : [];
  return { applied: names.filter((n) => !pendingNow.includes(n)), pending: pendingNow };
}

/**
 * @internal What a failed run left: each migration commits on its own, so the first still
 * pending failed.
 */
export async function stoppedRun(ds: DataSource, before: TenantMigrationState, cause: unknown): Promise<Error> {
  let after: TenantMigrationState;
  try {
    after = await migrationState(ds);
  } catch {
    return cause instanceof Error ? cause : new Error(String(cause));
  }
  const committed = after.applied.filter((name) => !before.applied.includes(name));
  return new MigrationRunError(committed, after.pending[0], cause);
}

async function pendingNames(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  try {
    const table = ds.driver.escape(ds.options.migrationsTableName ?? 'migrations');
    const hasTable = await runner.hasTable(ds.options.migrationsTableName ?? 'migrations');
    const rows = hasTable ? ((await runner.query(`SELECT name FROM ${table}`)) as Array<{ name: string }>) : [];
    const done = new Set(rows.map((r) => r.name));
    return ds.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !done.has(n));
  } finally {
    await runner.release();
  }
}

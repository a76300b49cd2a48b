import type { DataSource } from 'typeorm';
import { ownsPrefixedName } from './sqlite-table.guard';

/**
 * SQLite schema mode, hard delete: drops every table and view of the tenant's prefix (entity
 * tables, its migration history, tables its migrations created), the analogue of dropping a
 * schema. Foreign keys are off meanwhile so the order does not matter; `ds` is the tenant's own
 * connection.
 */
export async function dropSqliteTenantTables(ds: DataSource, tablePrefix: string): Promise<void> {
  const runner = ds.createQueryRunner();
  try {
    const objects = (await runner.query(
      "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view')",
    )) as Array<{ type: 'table' | 'view'; name: string }>;
    const owned = objects.filter((o) => ownsPrefixedName(tablePrefix, o.name));
    await runner.query('PRAGMA foreign_keys = OFF');
    try {
      for (const { type, name } of owned)
        await runner.query(`DROP ${type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS "${name.replaceAll('"', '""')}"`);
    } finally {
      await runner.query('PRAGMA foreign_keys = ON');
    }
  } finally {
    await runner.release();
  }
}

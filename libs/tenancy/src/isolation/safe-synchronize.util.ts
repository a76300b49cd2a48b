import type { DataSource } from 'typeorm';
import { TenancyError } from '../errors/tenancy.error';

/** Statements of a schema sync that lose data: a column or table dropped (a type change drops too). */
const LOSES_DATA = /\bDROP\s+(COLUMN|TABLE)\b/i;

/**
 * @internal Brings an existing tenant's tables up to the entities, as TypeORM's `synchronize`,
 * but refuses (changing nothing) when that would drop a column or table: synchronize drops
 * what the entities no longer map, and the library never drops what it did not create.
 * @returns the statements it ran.
 */
export async function synchronizeWithoutDrops(ds: DataSource): Promise<string[]> {
  const plan = await ds.driver.createSchemaBuilder().log();
  const statements = plan.upQueries.map((q) => q.query);
  // SQLite alters a table by copying it into a new one and dropping the old: compare columns there.
  const losing =
    ds.options.type === 'better-sqlite3' ? await unmappedColumns(ds) : statements.filter((sql) => LOSES_DATA.test(sql));
  if (losing.length > 0) {
    throw new TenancyError(
      `synchronize would drop data: ${losing.join('; ')}. Nothing was changed: keep the column in the entity, ` +
        'or drop it yourself (or with a migration).',
    );
  }
  if (statements.length > 0) await ds.synchronize();
  return statements;
}

/** Columns of existing entity tables that no entity maps (synchronize would drop them). */
async function unmappedColumns(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  try {
    const found: string[] = [];
    for (const meta of ds.entityMetadatas) {
      const table = await runner.getTable(meta.tablePath);
      const mapped = new Set(meta.columns.map((c) => c.databaseName));
      for (const column of table?.columns ?? [])
        if (!mapped.has(column.name)) found.push(`column "${column.name}" of "${meta.tablePath}"`);
    }
    return found;
  } finally {
    await runner.release();
  }
}

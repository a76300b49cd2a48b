import type { DataSource, EntityMetadata } from 'typeorm';
import { tenantTableDialect } from './tenant.entity';

/** A `updateMetadata` patch split into keys to remove (`null`) and keys to set. */
export interface MetadataChanges {
  readonly removed: string[];
  readonly set: Record<string, unknown>;
}

/** @internal `null` removes a key, `undefined` is ignored, anything else replaces the key's value. */
export function splitMetadataPatch(patch: Record<string, unknown>): MetadataChanges {
  const removed: string[] = [];
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) removed.push(key);
    else if (value !== undefined) set[key] = value;
  }
  return { removed, set };
}

/** @internal `metadata` with the changes applied (top level only). */
export function mergeMetadata(metadata: Record<string, unknown>, changes: MetadataChanges): Record<string, unknown> {
  const merged = { ...metadata, ...structuredClone(changes.set) };
  for (const key of changes.removed) delete merged[key];
  return merged;
}

/**
 * @internal One atomic UPDATE merging `changes` into a tenant row's metadata: `jsonb` operators on
 * PostgreSQL, `JSON_MERGE_PATCH` on MySQL/MariaDB, `json_patch` on SQLite (remove every touched
 * key first, then add the new values: a top-level replace, never a deep merge). `null` for SQL
 * Server: the caller merges in a locking transaction there. Returns whether it ran.
 */
export async function mergeMetadataInPlace(
  dataSource: DataSource,
  meta: EntityMetadata,
  id: string,
  changes: MetadataChanges,
): Promise<boolean> {
  const dialect = tenantTableDialect(dataSource.options.type);
  if (dialect === 'mssql') return false;
  const driver = dataSource.driver;
  const table = meta.tablePath
    .split('.')
    .map((part) => driver.escape(part))
    .join('.');
  const at = driver.preparePersistentValue(new Date(), meta.findColumnWithPropertyName('updatedAt')!);
  const nulls = JSON.stringify(
    Object.fromEntries(changes.removed.concat(Object.keys(changes.set)).map((k) => [k, null])),
  );
  const set = JSON.stringify(changes.set);
  if (dialect === 'postgres') {
    const sql = `UPDATE ${table} SET metadata = (COALESCE(metadata, '{}'::jsonb) - $1::text[]) || $2::jsonb, updated_at = $3 WHERE id = $4`;
    await dataSource.query(sql, [changes.removed, set, at, id]);
    return true;
  }
  const patch = dialect === 'mysql' ? 'JSON_MERGE_PATCH' : 'json_patch';
  const sql = `UPDATE ${table} SET metadata = ${patch}(${patch}(COALESCE(metadata, '{}'), ?), ?), updated_at = ? WHERE id = ?`;
  await dataSource.query(sql, [nulls, set, at, id]);
  return true;
}

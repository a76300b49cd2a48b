import type { EntityMetadata } from 'typeorm';

/** Table types that hold no `tenant_id` of their own (their rows go with their owners). */
const NOT_TENANT_TABLES = new Set(['view', 'junction', 'closure-junction']);

/**
 * @internal The tenant tables of `metadatas`, each once, referencing tables before the tables
 * they reference, so deleting a tenant's rows in this order never trips a foreign key.
 * Junction tables are left out: they carry no `tenant_id` (an unscoped delete there would reach
 * every tenant) and their rows cascade with their owners. A reference cycle keeps the remaining
 * tables in their given order.
 */
export function childrenFirst(metadatas: readonly EntityMetadata[]): EntityMetadata[] {
  const byTable = new Map<string, EntityMetadata>();
  for (const m of metadatas)
    if (!NOT_TENANT_TABLES.has(m.tableType) && !byTable.has(m.tablePath)) byTable.set(m.tablePath, m);
  const remaining = [...byTable.values()];
  const ordered: EntityMetadata[] = [];
  while (remaining.length) {
    const isReferenced = (m: EntityMetadata) =>
      remaining.some(
        (other) =>
          other.tablePath !== m.tablePath &&
          other.foreignKeys.some((fk) => fk.referencedEntityMetadata.tablePath === m.tablePath),
      );
    const index = remaining.findIndex((m) => !isReferenced(m));
    ordered.push(...remaining.splice(index < 0 ? 0 : index, 1));
  }
  return ordered;
}

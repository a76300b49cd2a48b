import type { DataSource, EntityMetadata } from 'typeorm';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import type { TenantForeignKey } from './dialects/postgres-rls-hardening.ddl';

/** The tables RLS must cover, read from the shared metadata. */
export interface RlsLayout {
  /** Entity tables (each declares `tenant_id`). */
  readonly entities: readonly string[];
  /** Many-to-many junction tables, with the entity table whose `tenant_id` type they copy. */
  readonly junctions: ReadonlyArray<{ readonly table: string; readonly typeFrom: string }>;
  /** Every foreign key between tenant tables, junction keys included. */
  readonly foreignKeys: readonly TenantForeignKey[];
}

/**
 * Every table of the shared RLS metadata. Refuses (naming the entity and the fix) an entity
 * without `tenant_id` or outside `public`; junction tables are covered, never skipped.
 */
export function rlsLayout(shared: DataSource): RlsLayout {
  const tables = shared.entityMetadatas.filter((m) => m.tableType !== 'view' && m.tableType !== 'entity-child');
  const entities: string[] = [];
  const junctions: Array<{ table: string; typeFrom: string }> = [];
  for (const m of tables) {
    if ((m.schema ?? 'public') !== 'public') {
      throw new TenancyConfigError(
        `Entity ${m.name} lives in schema "${m.schema}": under RLS tenant tables live in "public". Remove its schema option.`,
      );
    }
    if (m.tableType === 'junction' || m.tableType === 'closure-junction') {
      junctions.push({ table: m.tableName, typeFrom: m.foreignKeys[0].referencedEntityMetadata.tableName });
      continue;
    }
    if (!m.findColumnWithDatabaseName('tenant_id')) {
      throw new TenancyConfigError(
        `Entity ${m.name} has no tenant_id column: under RLS every tenant entity needs one. ` +
          'Extend TenantScopedEntity or declare @Column({ name: "tenant_id" }).',
      );
    }
    entities.push(m.tableName);
  }
  const foreignKeys = tables.flatMap((m) => m.foreignKeys.map((fk) => tenantForeignKey(m, fk)));
  return { entities, junctions, foreignKeys };
}

function tenantForeignKey(m: EntityMetadata, fk: EntityMetadata['foreignKeys'][number]): TenantForeignKey {
  return {
    table: m.tableName,
    columns: fk.columnNames,
    referencedTable: fk.referencedEntityMetadata.tableName,
    referencedColumns: fk.referencedColumnNames,
  };
}

/** Every table of the layout, entities first. */
export function allTables(layout: RlsLayout): string[] {
  return [...layout.entities, ...layout.junctions.map((j) => j.table)];
}

import {
  EventSubscriber,
  type DataSource,
  type EntitySubscriberInterface,
  type InsertEvent,
  type ObjectLiteral,
} from 'typeorm';

const TENANT_OF_VIEW = Symbol.for('nestjs-tenancy:view-tenant');

/** Marks a tenant view with the tenant id its inserts belong to. */
export function bindViewTenant(view: DataSource, tenantId: string): DataSource {
  Object.defineProperty(view, TENANT_OF_VIEW, { value: tenantId });
  return view;
}

/** The tenant id a tenant view (or database-per-tenant DataSource) is bound to, if any. */
export function viewTenantOf(dataSource: DataSource): string | undefined {
  return (dataSource as unknown as Record<symbol, string | undefined>)[TENANT_OF_VIEW];
}

/**
 * Fills `tenant_id` on every insert through a tenant view (save, insert, query builder) from
 * the view itself, never from AsyncLocalStorage: the tenant is a property of the DataSource.
 */
@EventSubscriber()
export class TenantIdSubscriber implements EntitySubscriberInterface {
  beforeInsert(event: InsertEvent<ObjectLiteral>): void {
    const tenantId = (event.queryRunner?.connection as unknown as Record<symbol, string> | undefined)?.[TENANT_OF_VIEW];
    const column = event.metadata.findColumnWithDatabaseName('tenant_id');
    if (!tenantId || !column || !event.entity) return;
    if (column.getEntityValue(event.entity) == null) column.setEntityValue(event.entity, tenantId);
  }
}

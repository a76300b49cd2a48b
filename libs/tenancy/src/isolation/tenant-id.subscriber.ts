import {
  EventSubscriber,
  type DataSource,
  type EntityMetadata,
  type EntitySubscriberInterface,
  type InsertEvent,
  type ObjectLiteral,
  type UpdateEvent,
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
 * Sets `tenant_id` on every insert through a tenant view or database-per-tenant DataSource (save,
 * insert, query builder) from the DataSource itself, never from AsyncLocalStorage: the tenant is
 * a property of the DataSource written through. It runs after entity listeners (TypeORM calls
 * those first) and overwrites whatever they or the caller set, so a row written through another
 * tenant's manager, or with a forged `tenantId`, still belongs to that DataSource's tenant
 * (issue 11). An update that sets `tenantId` is held to the same tenant.
 */
@EventSubscriber()
export class TenantIdSubscriber implements EntitySubscriberInterface {
  beforeInsert(event: InsertEvent<ObjectLiteral>): void {
    this.label(event.queryRunner?.connection, event.metadata, event.entity);
  }

  beforeUpdate(event: UpdateEvent<ObjectLiteral>): void {
    const column = event.metadata.findColumnWithDatabaseName('tenant_id');
    if (!column || !event.entity || column.getEntityValue(event.entity) === undefined) return;
    this.label(event.queryRunner?.connection, event.metadata, event.entity);
  }

  private label(dataSource: DataSource | undefined, metadata: EntityMetadata, entity: ObjectLiteral | undefined): void {
    const tenantId = dataSource && viewTenantOf(dataSource);
    const column = metadata.findColumnWithDatabaseName('tenant_id');
    if (!tenantId || !column || !entity) return;
    column.setEntityValue(entity, tenantId);
  }
}

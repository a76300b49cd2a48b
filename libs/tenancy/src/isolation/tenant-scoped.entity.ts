import { BeforeInsert, Column, Index } from 'typeorm';
import { currentScope } from '../context/tenant-context';

/**
 * Base class for tenant tables: adds `tenantId` (column `tenant_id`), set on insert to the tenant
 * of the DataSource written through (a tenant view or database-per-tenant DataSource), whatever
 * the caller put there; the current tenant fills it only on a DataSource the library did not bind. Required under RLS (the policies filter on it), harmless under schema and
 * database isolation, and it keeps rows movable between tiers.
 * @example @Entity('orders') export class Order extends TenantScopedEntity { ... }
 */
export abstract class TenantScopedEntity {
  @Index()
  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true })
  tenantId!: string | null;

  // Runs before TenantIdSubscriber, which overwrites it with the DataSource's tenant (issue 11).
  @BeforeInsert()
  protected fillTenantId(): void {
    this.tenantId ??= currentScope()?.tenant?.id ?? null;
  }
}

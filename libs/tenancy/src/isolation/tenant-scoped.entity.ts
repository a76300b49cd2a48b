import { BeforeInsert, Column, Index } from 'typeorm';
import { currentScope } from '../context/tenant-context';

/**
 * Base class for tenant tables: adds `tenantId` (column `tenant_id`), filled from the current
 * tenant on insert. Required under RLS (the policies filter on it), harmless under schema and
 * database isolation, and it keeps rows movable between tiers.
 * @example @Entity('orders') export class Order extends TenantScopedEntity { ... }
 */
export abstract class TenantScopedEntity {
  @Index()
  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true })
  tenantId!: string | null;

  @BeforeInsert()
  protected fillTenantId(): void {
    this.tenantId ??= currentScope()?.tenant?.id ?? null;
  }
}

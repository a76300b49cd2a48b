import { Column, Entity, Index, PrimaryGeneratedColumn, type Repository } from 'typeorm';

/**
 * The one table every variant serves. `tenant_id` is declared here (the documented alternative
 * to extending TenantScopedEntity), so the baseline needs nothing from the library.
 */
@Entity('orders')
export class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) label!: string;
  @Column({ type: 'int', default: 0 }) amount!: number;
  @Index()
  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true })
  tenantId!: string | null;
}

/** Rows seeded per tenant (and in the baseline's one schema). */
export const ROWS_PER_TENANT = 10;

/** What every variant's controller calls. */
export interface OrdersPort {
  list(): Promise<Order[]>;
  create(label: string): Promise<Order>;
}

/** GET /orders and POST /orders, identical SQL for every variant. */
export function ordersOn(repo: Repository<Order>): OrdersPort {
  return {
    list: () => repo.find({ order: { id: 'ASC' }, take: ROWS_PER_TENANT }),
    create: (label: string) => repo.save(repo.create({ label, amount: 1 })),
  };
}

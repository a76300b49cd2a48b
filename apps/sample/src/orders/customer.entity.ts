import { Column, Entity, Index, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { TenantScopedEntity } from 'nestjs-tenancy';
import type { Order } from './order.entity';

/** A tenant's customer. Unique keys include `tenant_id`: under RLS every tenant shares the table. */
@Entity('customers')
@Index(['tenantId', 'email'], { unique: true })
export class Customer extends TenantScopedEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  email!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  @OneToMany('Order', (order: Order) => order.customer)
  orders!: Relation<Order[]>;
}

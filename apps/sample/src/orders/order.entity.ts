import { Column, CreateDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { TenantScopedEntity } from 'nestjs-tenancy';
import { Customer } from './customer.entity';

/** An order of one tenant, placed by one of its customers. */
@Entity('orders')
export class Order extends TenantScopedEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  item!: string;

  @Column({ type: 'int', default: 1 })
  quantity!: number;

  @ManyToOne(() => Customer, (customer) => customer.orders, { nullable: false, eager: true })
  customer!: Relation<Customer>;

  @CreateDateColumn()
  createdAt!: Date;
}

import { Injectable, Logger } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { InjectTenantRepository, TenantConnectionManager } from 'nestjs-tenancy';
import type { CreateOrderDto } from './create-order.dto';
import { Customer } from './customer.entity';
import { Order } from './order.entity';

/** Orders of the current tenant. The repositories are singletons that act for the tenant in scope. */
@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @InjectTenantRepository(Order) private readonly orders: Repository<Order>,
    @InjectTenantRepository(Customer) private readonly customers: Repository<Customer>,
    private readonly connections: TenantConnectionManager,
  ) {}

  list(): Promise<Order[]> {
    return this.orders.find({ order: { id: 'ASC' } });
  }

  findOne(id: number): Promise<Order | null> {
    return this.orders.findOneBy({ id });
  }

  /** Creates the order, and its customer when the email is new, in one transaction of the tenant. */
  async create(dto: CreateOrderDto): Promise<Order> {
    const order = await this.connections.transaction(async () => {
      const customer =
        (await this.customers.findOneBy({ email: dto.customerEmail })) ??
        (await this.customers.save(
          this.customers.create({ email: dto.customerEmail, name: dto.customerName ?? null }),
        ));
      return this.orders.save(this.orders.create({ item: dto.item, quantity: dto.quantity ?? 1, customer }));
    });
    this.logger.log(`Order ${order.id} created (${order.quantity} × ${order.item})`);
    return order;
  }
}

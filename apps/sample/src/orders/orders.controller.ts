import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Post } from '@nestjs/common';
import { CurrentTenant } from 'nestjs-tenancy';
import { CreateOrderDto } from './create-order.dto';
import type { Order } from './order.entity';
import { OrdersService } from './orders.service';

/** The tenant's orders. The tenant comes from `X-Tenant-ID` or the subdomain; unknown ones get 404. */
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  list(): Promise<Order[]> {
    return this.orders.list();
  }

  @Get('whoami')
  whoami(@CurrentTenant('identifier') tenant: string): { tenant: string } {
    return { tenant };
  }

  @Get(':id')
  async findOne(@Param('id', ParseIntPipe) id: number): Promise<Order> {
    const order = await this.orders.findOne(id);
    if (!order) throw new NotFoundException('Order not found');
    return order;
  }

  @Post()
  create(@Body() dto: CreateOrderDto): Promise<Order> {
    return this.orders.create(dto);
  }
}

import { Module } from '@nestjs/common';
import { TenancyModule } from 'nestjs-tenancy';
import { Customer } from './customer.entity';
import { Order } from './order.entity';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [TenancyModule.forFeature([Order, Customer])],
  controllers: [OrdersController],
  providers: [OrdersService],
  exports: [OrdersService],
})
export class OrdersModule {}

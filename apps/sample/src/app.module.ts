import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { TenancyModule, tenancyConfig } from 'nestjs-tenancy';
import { AdminModule } from './admin/admin.module';
import { DemoTenantsSeeder } from './demo/demo-tenants.seeder';
import { OpsModule } from './ops/ops.module';
import { OrdersModule } from './orders/orders.module';
import { sampleTenancyOptions } from './sample-tenancy.options';
import { SampleSettingsModule } from './sample-settings.module';

/**
 * The sample: an orders API per tenant, `/admin` for tenant lifecycle, `/health` and `/metrics`.
 * Tenancy is configured from `TENANCY_*` through `tenancyConfig` (main.ts fills defaults first).
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [tenancyConfig] }),
    SampleSettingsModule,
    TenancyModule.forRootAsync({
      inject: [tenancyConfig.KEY],
      useFactory: (config: ConfigType<typeof tenancyConfig>) => sampleTenancyOptions(config),
    }),
    OrdersModule,
    AdminModule,
    OpsModule,
  ],
  providers: [DemoTenantsSeeder],
})
export class AppModule {}

import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TenancyModule, tenancyConfig } from 'nestjs-tenancy';
import { TenancyCliModule } from 'nestjs-tenancy/cli';

/**
 * The sample's CLI: tenancy configured from `TENANCY_*` (as the HTTP app is) plus the tenancy
 * commands. No HTTP server, no controllers.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TenancyModule.forRootAsync({ ...tenancyConfig.asProvider(), isGlobal: true }),
    TenancyCliModule,
  ],
})
export class SampleCliModule {}

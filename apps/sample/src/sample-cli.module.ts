import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { TenancyModule, tenancyConfig } from 'nestjs-tenancy';
import { TenancyCliModule } from 'nestjs-tenancy/cli';
import { sampleTenancyOptions } from './sample-tenancy.options';

/**
 * The sample's CLI (`npm run cli -- <command>`): the same tenancy configuration as the HTTP app
 * (`TENANCY_*`, the sample's entities) plus the tenancy commands. No HTTP server, no controllers.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [tenancyConfig] }),
    TenancyModule.forRootAsync({
      inject: [tenancyConfig.KEY],
      useFactory: (config: ConfigType<typeof tenancyConfig>) => sampleTenancyOptions(config),
    }),
    TenancyCliModule,
  ],
})
export class SampleCliModule {}

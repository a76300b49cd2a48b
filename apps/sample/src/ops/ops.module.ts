import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** Health and metrics endpoints; the indicator and the metrics service come from the tenancy module. */
@Module({
  imports: [TerminusModule.forRoot()],
  controllers: [HealthController, MetricsController],
})
export class OpsModule {}
